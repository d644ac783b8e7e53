package com.insurancehub.hub.platform.simulator;

/** The simulator controller's loopback check, for tests of other packages. */
public final class SimulatorControllerAccess {

    private SimulatorControllerAccess() {
    }

    public static boolean loopback(String address) {
        return SimulatorController.loopback(address);
    }
}
