package com.insurancehub.mocks.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;

import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * External Rating: prices a risk from its tariff tables. Deterministic, so the same risk always gets
 * the same premium (what makes the hub's rating cache correct).
 */
@RestController
@RequestMapping("/rating")
public class ExternalRatingMock implements MockSystem {

    private final JdbcTemplate jdbc;

    public ExternalRatingMock(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String base() {
        return "rating";
    }

    public record RatingRequest(String product, BigDecimal insuredValue, String postalCode, LocalDate birthDate) {
    }

    @PostMapping("/ratings")
    public ResponseEntity<Map<String, Object>> rate(@RequestBody RatingRequest request) {
        if (request.product() == null || request.insuredValue() == null || request.postalCode() == null
                || request.postalCode().length() < 2) {
            return problem(HttpStatus.BAD_REQUEST, "product, insuredValue and postalCode are required");
        }
        List<Map<String, Object>> tariff = jdbc.queryForList(
                "SELECT base_rate, minimum FROM rating.tariffs WHERE product = ?", request.product());
        if (tariff.isEmpty()) {
            return problem(HttpStatus.UNPROCESSABLE_ENTITY, "no tariff for product " + request.product());
        }
        BigDecimal areaFactor = jdbc.queryForList(
                        "SELECT factor FROM rating.area_factors WHERE postal_prefix = ?", BigDecimal.class,
                        request.postalCode().substring(0, 2))
                .stream().findFirst().orElse(BigDecimal.ONE);
        BigDecimal baseRate = (BigDecimal) tariff.get(0).get("base_rate");
        BigDecimal minimum = (BigDecimal) tariff.get(0).get("minimum");
        BigDecimal ageFactor = ageFactor(request.product(), request.birthDate());
        BigDecimal premium = request.insuredValue().multiply(baseRate).multiply(areaFactor).multiply(ageFactor)
                .max(minimum).setScale(2, RoundingMode.HALF_UP);

        Map<String, Object> rating = new LinkedHashMap<>();
        rating.put("premium", premium);
        rating.put("currency", "EUR");
        rating.put("tariff", request.product() + "-" + baseRate.stripTrailingZeros().toPlainString());
        rating.put("factors", Map.of("area", areaFactor, "age", ageFactor));
        return ResponseEntity.ok(rating);
    }

    private static BigDecimal ageFactor(String product, LocalDate birthDate) {
        if (!"AUTO".equals(product) || birthDate == null) {
            return BigDecimal.ONE;
        }
        int age = Period.between(birthDate, LocalDate.now()).getYears();
        if (age < 25) {
            return new BigDecimal("1.60");
        }
        return age > 70 ? new BigDecimal("1.30") : BigDecimal.ONE;
    }
}
