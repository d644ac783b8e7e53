package com.insurancehub.hub.platform.edge;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * The hub's reading of a request body, stricter than JSON itself: one value, no duplicate key (which one would a
 * system behind keep?), nested at most {@code maxDepth} deep, and no control character other than tab, CR and LF in
 * any string or key (a NUL breaks the systems' databases). Streams the tokens: no tree is built.
 */
public final class StrictJson {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    private final JsonFactory factory;
    private final int maxDepth;

    public StrictJson(int maxDepth) {
        this.maxDepth = maxDepth;
        this.factory = JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
    }

    /** Why the body is refused, as a sentence for the caller; {@code null} when it is acceptable. */
    public String problemOf(byte[] body) {
        try (JsonParser parser = factory.createParser(body)) {
            if (parser.nextToken() == null) {
                return "The request body is empty";
            }
            int depth = 0;
            do {
                JsonToken token = parser.currentToken();
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                } else if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    String text = token == JsonToken.FIELD_NAME ? parser.currentName() : parser.getText();
                    if (hasControlCharacter(text)) {
                        return "A " + (token == JsonToken.FIELD_NAME ? "key" : "string") + " holds a control character at "
                                + path(parser.getParsingContext(), token == JsonToken.FIELD_NAME);
                    }
                }
            } while (depth > 0 && parser.nextToken() != null);
            return parser.nextToken() == null ? null : "The request body holds more than one JSON value";
        } catch (StreamConstraintsException e) {
            return "The request body nests JSON deeper than " + maxDepth + " levels";
        } catch (JsonParseException e) {
            Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
            return duplicate.find() ? "Duplicate key '" + duplicate.group(1) + "'" : "The request body is not valid JSON";
        } catch (IOException e) {
            return "The request body is not valid JSON";
        }
    }

    static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return true;
            }
        }
        return false;
    }

    /** The JSON path ({@code $.customer.firstName}, {@code $.items[2]}) of the current token. */
    private static String path(JsonStreamContext context, boolean key) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                path.insert(0, "." + c.getCurrentName());
            }
        }
        return "$" + path;
    }
}
