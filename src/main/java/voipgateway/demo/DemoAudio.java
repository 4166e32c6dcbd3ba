package voipgateway.demo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The recordings the simulators serve: a second of a 440 Hz tone, 8 kHz mono 16-bit PCM, as a WAV file. */
public final class DemoAudio {

    private static final int RATE = 8000;
    private static final byte[] WAV = tone(RATE);

    private DemoAudio() {
    }

    public static byte[] wav() {
        return WAV.clone();
    }

    private static byte[] tone(int samples) {
        ByteBuffer wav = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        wav.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(RATE * 2)
                .putShort((short) 2).putShort((short) 16);
        wav.put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            wav.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / RATE)));
        }
        return wav.array();
    }
}
