package com.insurancehub.hub.platform.simulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The networks whose callers may drive the simulator ({@code hub.simulator.allowed-callers}: CIDRs, IPv4 or IPv6, a bare
 * address meaning that address alone). Only address literals are read, never names: a caller's address is never looked
 * up in DNS, and a configured entry that is no literal fails the hub's start rather than allowing nobody or everybody.
 */
public final class AllowedCallers {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (candidate[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> networks;

    private AllowedCallers(List<Network> networks) {
        this.networks = networks;
    }

    /** The networks, e.g. {@code 127.0.0.0/8}, {@code ::1}, {@code 172.30.80.0/24}; a malformed entry is refused. */
    public static AllowedCallers of(List<String> cidrs) {
        return new AllowedCallers(cidrs.stream().map(String::trim).filter(cidr -> !cidr.isEmpty()).map(AllowedCallers::network).toList());
    }

    /** Whether a caller's address (as the servlet container gives it) is in one of the networks; false if it is no address. */
    public boolean allows(String callerAddress) {
        byte[] caller = literal(callerAddress);
        return caller != null && networks.stream().anyMatch(network -> network.contains(caller));
    }

    private static Network network(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException("hub.simulator.allowed-callers: '" + cidr + "' is not an IP address or CIDR");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("hub.simulator.allowed-callers: '" + cidr + "' has no valid prefix length");
            }
        }
        return new Network(bytes, prefix);
    }

    /** The bytes of an IPv4 or IPv6 literal (brackets and a zone id allowed; an IPv4-mapped IPv6 address gives IPv4's), else null. */
    static byte[] literal(String text) {
        if (text == null) {
            return null;
        }
        String address = text.trim();
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        int zone = address.indexOf('%');
        if (zone >= 0) {
            address = address.substring(0, zone);
        }
        String literal;
        if (IPV4.matcher(address).matches()) {
            for (String octet : address.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
            literal = address;
        } else if (IPV6.matcher(address).matches()) {
            literal = "[" + address + "]"; // in brackets a malformed IPv6 literal is refused, not looked up as a name
        } else {
            return null; // a name: never resolved
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
