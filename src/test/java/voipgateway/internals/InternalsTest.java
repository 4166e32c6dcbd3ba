package voipgateway.internals;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * One test per use of non-public Camel API, against the dependency itself rather than the whole service: each
 * fails when an upgrade takes away what the workaround relies on.
 */
class InternalsTest {

    @Test
    void asyncEngineFindsThePlatformHttpMethodsItReuses() {
        assertDoesNotThrow(() -> Class.forName(AsyncHttpEngine.class.getName(), true,
                AsyncHttpEngine.class.getClassLoader()));
    }
}
