package dev.fusedstep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": 1, \"b\": -2.5e-3, \"c\": [true, false, null], \"d\": {\"e\": \"x\\\"y\\u00e9\\n\"}, \"f\": 1.0} ");
        assertEquals(List.of("a", "b", "c", "d", "f"), List.copyOf(m.keySet()));
        assertEquals(1L, m.get("a"));
        assertEquals(-2.5e-3, m.get("b"));
        assertEquals(java.util.Arrays.asList(true, false, null), m.get("c"));
        assertEquals(Map.of("e", "x\"y\u00e9\n"), m.get("d"));
        assertEquals(1.0, m.get("f"));
    }

    @Test
    void keepsLargeIntegersExact() {
        assertEquals(9007199254740993L, Json.parse("9007199254740993"));
        assertEquals(1e30, Json.parse("1000000000000000000000000000000"));
    }

    @Test
    void decodesSurrogatePairs() {
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "-", "1e", "tru", "\"abc",
            "\"\\x\"", "\"\\u12g4\"", "{\"a\":1} x", "{a:1}", "{\"a\":1,\"a\":2}", "\"tab\there\"", "NaN", "[1 2]"})
    void rejectsMalformedJson(String text) {
        JsonException ex = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(ex.getMessage().startsWith("JSON at offset "), ex.getMessage());
    }

    @Test
    void errorsGiveTheOffset() {
        JsonException ex = assertThrows(JsonException.class, () -> Json.parse("{\"a\": [1, 2,, 3]}"));
        assertEquals(12, ex.offset());
        assertTrue(ex.getMessage().contains("','"), ex.getMessage());
    }

    @Test
    void parseObjectRefusesOtherValues() {
        assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
        assertNull(Json.parse("null"));
    }

    @Test
    void writeThenParseRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "q\"\\\n\u0001é");
        m.put("d", 1e-8);
        m.put("l", 123L);
        m.put("arr", new long[] {0, 4148});
        m.put("list", List.of(true, 0.5));
        m.put("nil", null);
        Map<String, Object> back = Json.parseObject(Json.write(m));
        assertEquals("q\"\\\n\u0001é", back.get("s"));
        assertEquals(1e-8, back.get("d"));
        assertEquals(123L, back.get("l"));
        assertEquals(List.of(0L, 4148L), back.get("arr"));
        assertEquals(List.of(true, 0.5), back.get("list"));
        assertTrue(back.containsKey("nil"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    }
}
