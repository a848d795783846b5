package org.dnispark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.typesafe.config.ConfigFactory;
import org.dnispark.TestModels;
import org.dnispark.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class CorrelateCommandTest {
    static final String U = "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb/";

    @Test
    @SuppressWarnings("unchecked")
    void correlatedAndUncorrelatedPairsGetTheirVerdicts() {
        Map<String, Object> r = CorrelateCommand.run(ConfigLoader.resolve(ConfigFactory.parseString(
                "dni.model-cache = \"" + TestModels.cache() + "\"\n"
                        + "dni.models = [\"" + U + "noise0_scale2.0x_model\", \"" + U + "noise1_scale2.0x_model\", \""
                        + U + "scale2.0x_model\"]")));
        List<Map<String, Object>> pairs = (List<Map<String, Object>>) r.get("pairs");
        assertEquals(2, pairs.size());
        double near = (Double) pairs.get(0).get("median_of_layer_medians");
        assertTrue(near >= 0.689, "noise0/noise1 " + near);
        assertTrue(((String) pairs.get(0).get("verdict")).startsWith("correlated"));
        assertEquals(7, ((List<?>) pairs.get(0).get("layers")).size());
        assertTrue((Double) pairs.get(1).get("median_of_layer_medians") < near - 0.3);
        assertTrue(CorrelateCommand.verdict(0.05).startsWith("uncorrelated"));
        assertTrue(CorrelateCommand.verdict(0.4).startsWith("weakly"));
    }
}
