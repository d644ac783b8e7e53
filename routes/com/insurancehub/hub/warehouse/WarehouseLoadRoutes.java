package com.insurancehub.hub.warehouse;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * D02-D04 - the warehouse loads' plumbing behind the YAML routes (routes-yaml/warehouse/warehouse-loads.camel.yaml:
 * the API, the schedule): claiming runs, and the chunked copy of a claimed run.
 *
 * <p>A run reads its source in one streamed query and splits it into chunks (hub.warehouse.chunk-size); each chunk
 * is one call of write-warehouse-chunk, which writes the facts, the rejected rows and the watermark in one warehouse
 * transaction. The helper routes have no error handler of their own: a failure is the caller's (the API's problem
 * answer, the run's FAILED). The first failing chunk stops the run (FAILED): what earlier chunks committed stays, and the next run
 * starts after the last committed row, so a run killed or failing mid-way never loads a row twice nor skips one.
 */
@Component
public class WarehouseLoadRoutes extends RouteBuilder {

    private final WarehouseLoads loads;

    public WarehouseLoadRoutes(WarehouseLoads loads) {
        this.loads = loads;
    }

    @Override
    public void configure() {
        from("seda:warehouse-loads?concurrentConsumers={{hub.warehouse.concurrent-loads}}")
                .routeId("run-warehouse-load")
                .description("D02, D03, D04 - a claimed warehouse load: its source after the watermark, chunk by chunk, then the run closed")
                .doTry()
                    .split(method(loads, "chunks")).streaming().stopOnException()
                        .to("direct:write-warehouse-chunk").id("write-chunk")
                    .end()
                    .bean(loads, "succeed").id("close-run-succeeded")
                .endDoTry()
                .doCatch(Exception.class)
                    .bean(loads, "fail").id("close-run-failed")
                .end();

        from("direct:write-warehouse-chunk")
                .routeId("write-warehouse-chunk")
                .errorHandler(noErrorHandler())
                .description("D02, D03, D04 - one chunk: facts upserted, rejected rows recorded, watermark moved, in one warehouse transaction")
                .bean(loads, "writeChunk").id("write-chunk-and-watermark");

        from("direct:claim-warehouse-run")
                .routeId("claim-warehouse-run")
                .errorHandler(noErrorHandler())
                .description("D02, D03, D04 - claim a run of a flow now (one RUNNING run per flow across the instances)")
                .bean(loads, "claimNow");

        from("direct:claim-due-warehouse-runs")
                .routeId("claim-due-warehouse-runs")
                .errorHandler(noErrorHandler())
                .description("D02, D03, D04 - claim the scheduled runs that are due (once per flow and cron time across the instances)")
                .bean(loads, "claimDue");

        from("direct:find-warehouse-run")
                .routeId("find-warehouse-run")
                .errorHandler(noErrorHandler())
                .description("D02, D03, D04 - one warehouse load run and its rejected rows")
                .bean(loads, "run");

        from("direct:warehouse-run-history")
                .routeId("warehouse-run-history")
                .errorHandler(noErrorHandler())
                .description("D02, D03, D04 - the warehouse load runs, newest first")
                .bean(loads, "history");
    }
}
