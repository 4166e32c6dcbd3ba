# The service's image, from the jar built on the host (mvn -B package -DskipTests), the shipped routes/ and
# application.properties. Used by docker-compose.yml; routes/ can be mounted over /app/routes to edit them live.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/voip-gateway.jar /app/voip-gateway.jar
COPY application.properties /app/application.properties
COPY routes /app/routes
RUN useradd --system --home /app voip && mkdir -p /app/data && chown voip /app/data
USER voip
EXPOSE 8080
# a bounded heap and the serial collector: measured 209 MB resident after start on a 2-core machine (README)
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx192m", "-Xss256k", "-jar", "/app/voip-gateway.jar"]
