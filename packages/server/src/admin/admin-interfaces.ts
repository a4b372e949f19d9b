// The server's HTTP faces for operators, built on the AdminView the four-letter words read: the
// AdminServer (admin.enableServer) and the Prometheus endpoint (metricsProvider.className =
// PrometheusMetricsProvider) and the web console on the AdminServer (admin.enableConsole).
// Started after the client listener, closed before it.

import type { Logger } from "../logger.js";
import type { SessionExpiry } from "../maintenance/session-expiry.js";
import { addConsoleRoutes } from "./console/console-routes.js";
import { Timeline } from "./console/timeline.js";
import { type AdminView, fourLetterSource } from "./four-letter-source.js";
import type { MonitorSnapshot } from "./four-letter-words.js";
import { AdminHttpServer } from "./http/admin-server.js";
import { adminCommandSource } from "./http/admin-source.js";
import { adminTlsOptions } from "./http/admin-tls.js";
import { PrometheusEndpoint } from "./prometheus/prometheus-endpoint.js";

/** The monitor figures now, or undefined while the server has no data tree to report on. */
export function monitorSnapshot(view: AdminView): MonitorSnapshot | undefined {
  const source = fourLetterSource(view, undefined);
  return source.isServing() ? source.monitor() : undefined;
}

export class AdminInterfaces {
  readonly http: AdminHttpServer | undefined;
  readonly prometheus: PrometheusEndpoint | undefined;
  readonly timeline: Timeline | undefined;

  constructor(view: AdminView, log: Logger, expiry: SessionExpiry) {
    const { config } = view;
    this.http = config.admin.enableServer
      ? new AdminHttpServer(
          config.admin,
          () => adminCommandSource(view),
          log.child({ part: "admin" }),
          adminTlsOptions(config),
        )
      : undefined;
    this.prometheus =
      config.metricsProvider.kind === "prometheus"
        ? new PrometheusEndpoint(
            config.metricsProvider,
            view.metrics,
            () => monitorSnapshot(view),
            log.child({ part: "metrics" }),
          )
        : undefined;
    if (this.http !== undefined && config.admin.enableConsole) {
      const timeline = new Timeline();
      this.timeline = timeline;
      timeline.record("start", `server started (${config.standalone ? "standalone" : "ensemble member"})`);
      if (view.quorum !== undefined) view.quorum.runtime.onEvent = (e) => timeline.quorumEvent(e);
      expiry.onExpired = (sessionId) => timeline.sessionExpired(sessionId);
      addConsoleRoutes(this.http, view, timeline, log.child({ part: "console" }));
    }
  }

  /** The metrics port failing stops the start (as in ZooKeeper); the admin port only logs. */
  async start(): Promise<void> {
    await this.prometheus?.start();
    await this.http?.start();
  }

  async close(): Promise<void> {
    await this.http?.close();
    await this.prometheus?.close();
  }
}
