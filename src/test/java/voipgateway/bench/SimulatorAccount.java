package voipgateway.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The add-provider body of a SansPBX account on the provider simulator (its default, fake credentials). */
final class SimulatorAccount {

    private SimulatorAccount() {
    }

    static Map<String, Object> sansPbx(int simulatorPort) {
        String sim = "http://127.0.0.1:" + simulatorPort + "/pbxadmin/sanpbxapi/";
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("provider", "SansPBX");
        account.put("tokenEndpoint", sim + "gentoken");
        account.put("dialEndpoint", sim + "dialcall");
        account.put("accessToken", "0123456789abcdef0123456789abcdef");
        account.put("accessKey", "demo-access-key");
        account.put("appId", "6");
        account.put("username", "demo-user");
        account.put("password", "Demo@&1234!#");
        account.put("did", "0124-6000001");
        return account;
    }
}
