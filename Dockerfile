# The service's image, from the jar built on the host (mvn -B package -DskipTests), the shipped routes/ and
# application.properties. Used by docker-compose.yml; routes/ can be mounted over /app/routes to edit them live.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/voip-gateway.jar /app/voip-gateway.jar
# the provider simulator (docker compose --profile simulator): its jar reads the rest from the one above
COPY target/voip-gateway-simulator.jar /app/voip-gateway-simulator.jar
COPY bin/voip-gateway /app/bin/voip-gateway
COPY application.properties /app/application.properties
COPY routes /app/routes
RUN useradd --system --home /app voip && mkdir -p /app/data && chown voip /app/data
USER voip
EXPOSE 8080
# the launcher's JVM settings (docs/benchmarks.md, "Start-up and memory"); its class-data archive is written in the data volume
# when the first container stops normally
ENV VOIP_JAR=/app/voip-gateway.jar VOIP_CDS_ARCHIVE=/app/data/voip-gateway.jsa
ENTRYPOINT ["/app/bin/voip-gateway"]
