package com.insurancehub.mocks.documents;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;
import com.insurancehub.mocks.platform.Rows;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.invalid;
import static com.insurancehub.mocks.platform.Problems.missing;
import static com.insurancehub.mocks.platform.Rows.first;

/**
 * DocMgmt: generates a policy's documents on request, one per kind, at once (status GENERATED). A request is
 * idempotent by its sourceEventId when it has one and per policy (one live request per policy, whoever asks),
 * and can be cancelled (a saga's compensation).
 */
@RestController
@RequestMapping("/documents")
public class DocumentManagementMock implements MockSystem {

    private static final RowMapper<Request> REQUEST = Rows.of(Request.class);
    private static final RowMapper<Document> DOCUMENT = Rows.of(Document.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public DocumentManagementMock(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public String base() {
        return "documents";
    }

    public record NewRequest(String policyId, List<String> kinds, String sourceEventId) {
    }

    /** A row of {@code documents.requests}. */
    public record Request(String requestId, String policyId, String status, String sourceEventId, Instant createdAt) {
    }

    /** A row of {@code documents.documents}. */
    public record Document(String documentId, String requestId, String policyId, String kind, String status, String url,
                           Instant createdAt) {
    }

    /** A request as answered: its fields, then its documents. */
    public record RequestWithDocuments(@JsonUnwrapped Request request, List<Document> documents) {
    }

    @PostMapping("/requests")
    public ResponseEntity<RequestWithDocuments> request(@RequestBody NewRequest request) {
        if (blank(request.policyId()) || request.kinds() == null || request.kinds().isEmpty()
                || request.kinds().stream().anyMatch(kind -> blank(kind))) {
            throw invalid("policyId and a non-empty list of kinds are required");
        }
        String sourceEventId = blank(request.sourceEventId()) ? null : request.sourceEventId();
        Set<String> kinds = new LinkedHashSet<>(request.kinds());
        return tx.execute(status -> {
            String requestId = "D-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO documents.requests (request_id, policy_id, status, source_event_id)
                    VALUES (?, ?, 'REQUESTED', ?) ON CONFLICT DO NOTHING""",
                    requestId, request.policyId(), sourceEventId);
            if (inserted == 0) {
                String existing = jdbc.queryForObject("""
                        SELECT request_id FROM documents.requests
                        WHERE source_event_id = ? OR (policy_id = ? AND status <> 'CANCELLED')
                        ORDER BY created_at LIMIT 1""", String.class, sourceEventId, request.policyId());
                return ResponseEntity.ok(findRequest(existing).orElseThrow());
            }
            for (String kind : kinds) {
                String documentId = "DOC-" + UUID.randomUUID();
                jdbc.update("""
                        INSERT INTO documents.documents (document_id, request_id, policy_id, kind, status, url)
                        VALUES (?, ?, ?, ?, 'GENERATED', ?)""",
                        documentId, requestId, request.policyId(), kind, "/documents/documents/" + documentId);
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(findRequest(requestId).orElseThrow());
        });
    }

    /** Cancels the request and its documents. Idempotent. */
    @PostMapping("/requests/{requestId}/cancellation")
    public RequestWithDocuments cancel(@PathVariable String requestId) {
        return tx.execute(status -> {
            int updated = jdbc.update("""
                    UPDATE documents.requests SET status = 'CANCELLED', updated_at = now()
                    WHERE request_id = ? AND status <> 'CANCELLED'""", requestId);
            if (updated == 1) {
                jdbc.update("""
                        UPDATE documents.documents SET status = 'CANCELLED', updated_at = now()
                        WHERE request_id = ? AND status <> 'CANCELLED'""", requestId);
            }
            return findRequest(requestId).orElseThrow(() -> missing("document request " + requestId));
        });
    }

    /** Cancels every request of a policy and their documents (a saga compensation): 200 with them, [] if none. */
    @PostMapping("/requests/cancellation")
    public List<RequestWithDocuments> cancelByPolicy(@RequestParam String policyId) {
        return tx.execute(status -> {
            List<String> ids = jdbc.queryForList(
                    "SELECT request_id FROM documents.requests WHERE policy_id = ? ORDER BY created_at, request_id",
                    String.class, policyId);
            jdbc.update("""
                    UPDATE documents.requests SET status = 'CANCELLED', updated_at = now()
                    WHERE policy_id = ? AND status <> 'CANCELLED'""", policyId);
            jdbc.update("""
                    UPDATE documents.documents SET status = 'CANCELLED', updated_at = now()
                    WHERE policy_id = ? AND status <> 'CANCELLED'""", policyId);
            return ids.stream().map(id -> findRequest(id).orElseThrow()).toList();
        });
    }

    @GetMapping("/requests/{requestId}")
    public RequestWithDocuments getRequest(@PathVariable String requestId) {
        return findRequest(requestId).orElseThrow(() -> missing("document request " + requestId));
    }

    @GetMapping("/documents")
    public List<Document> documents(@RequestParam String policyId) {
        return jdbc.query("SELECT * FROM documents.documents WHERE policy_id = ? ORDER BY seq", DOCUMENT, policyId);
    }

    @GetMapping("/documents/{documentId}")
    public Document document(@PathVariable String documentId) {
        return first(jdbc.query("SELECT * FROM documents.documents WHERE document_id = ?", DOCUMENT, documentId))
                .orElseThrow(() -> missing("document " + documentId));
    }

    private Optional<RequestWithDocuments> findRequest(String requestId) {
        return first(jdbc.query("SELECT * FROM documents.requests WHERE request_id = ?", REQUEST, requestId))
                .map(request -> new RequestWithDocuments(request, jdbc.query(
                        "SELECT * FROM documents.documents WHERE request_id = ? ORDER BY seq", DOCUMENT, requestId)));
    }
}
