package voipgateway;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the flows that touch credentials (adding accounts, refused credentials a PBX echoes back, calls, token
 * refreshes, callbacks, errors) and then scans everything the service logged and answered, and every raw
 * MongoDB document, for the secrets involved: zero hits.
 */
class SecretLeakTest extends GatewayTestSupport {

    private static final String API_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret-api-token";
    private static final String[] SECRETS = {ACCESS_TOKEN, ACCESS_KEY, PASSWORD, KEY, API_TOKEN,
            "ZGVtby11c2VyOkRlbW9AJjEyMzQhIw=="};

    private final StringWriter logs = new StringWriter();
    private final List<String> answers = new ArrayList<>();
    private WriterAppender appender;

    @BeforeAll
    void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.newBuilder().setName("secret-scan").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n%throwable").build()).build();
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    @AfterAll
    void releaseLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("secret-scan");
        context.updateLoggers();
        appender.stop();
    }

    @Test
    void noSecretIsLoggedAnsweredOrStoredInClear() throws Exception {
        // refused credentials, with a PBX that repeats them in its message
        pbx.stubFor(post(urlPathEqualTo(GENTOKEN)).willReturn(aResponse().withStatus(401).withBody(
                "{\"status\":\"error\",\"message\":\"bad key " + ACCESS_KEY + " / token " + ACCESS_TOKEN
                        + " / password " + PASSWORD + "\"}")));
        keep(send("POST", "/voip/add-provider", providerBody()));

        pbx.resetAll();
        pbxIssuesToken(API_TOKEN, "2099-01-01 00:00:00");
        pbx.stubFor(post(urlPathEqualTo(DIALCALL)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":\"error\",\"message\":\"token " + API_TOKEN + " expired\"}")));
        String numberId = send("POST", "/voip/add-provider", providerBody()).json().at("/provider/dids/0/id").asText();
        keep(send("PUT", "/voip/assign-number/" + numberId, Map.of("agentId", AGENT)));
        keep(call("09000000001"));
        pbxDials("{\"status\":\"success\",\"call_id\":\"5\"}");
        Response placed = call("09000000001");
        keep(placed);
        String callId = placed.json().get("id").asText();
        keep(send("GET", "/calls/" + callId, null));
        keep(send("GET", "/calls", null));
        keep(send("GET", "/voip/providers", null));
        keep(send("GET", "/voip/numbers", null));
        keep(sendRaw("POST", "/callbacks/sanspbx/status?call=" + callId + "&token="
                + callbackToken(callId), "application/json",
                "{\"Linkedid\":\"5\",\"disposition\":\"ANSWER\",\"custom_field\":{\"record_id\":\"" + callId
                        + "\"},\"auth_token\":\"" + API_TOKEN + "\"}"));
        Map<String, Object> typo = providerBody();
        typo.put("passwrd", PASSWORD);
        keep(send("POST", "/voip/add-provider", typo));

        assertEquals("completed", send("GET", "/calls/" + callId, null).json().get("status").asText());
        String logged = logs.toString();
        assertTrue(logged.contains("[dial] SansPBX"), "the scan saw the service's log");
        List<String> leaks = new ArrayList<>();
        for (String secret : SECRETS) {
            if (logged.contains(secret)) {
                leaks.add("log holds " + secret);
            }
            answers.stream().filter(a -> a.contains(secret)).forEach(a -> leaks.add("answer holds " + secret + ": " + a));
            for (String name : new String[] {"voipproviders", "voipnumbers", "agents", "calls", "orphancallbacks"}) {
                for (Document document : db().getCollection(name).find()) {
                    if (document.toJson().contains(secret)) {
                        leaks.add(name + " holds " + secret);
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }

    private void keep(Response response) {
        answers.add(response.body());
    }
}
