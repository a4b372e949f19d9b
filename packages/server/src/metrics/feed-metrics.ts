// Connects the parts that do what ZooKeeper measures to the metrics registry: the txn log, the
// snapshotter, the watch manager and the quorum runtime tell their figures through hooks, so none
// of them depends on the registry. The request path feeds its metrics itself (ConnectionContext).

import { EventType } from "@paddock/jute";
import type { AdminView } from "../admin/four-letter-source.js";
import type { Snapshotter } from "../maintenance/snapshotter.js";
import { type CoreMetrics, quorumMetrics } from "./server-metrics.js";

/** Hooks the view's parts (and the snapshotter) to `m`; slower fsyncs than fsync.warningthresholdms count too. */
export function feedMetrics(m: CoreMetrics, view: AdminView, snapshotter: Snapshotter): void {
  const { txnLog, watches, stats, quorum } = view;
  const fsyncWarningThresholdMs = view.config.fsyncWarningThresholdMs;
  txnLog.onGroupCommit = (fsyncMs, appends) => {
    if (fsyncMs !== undefined) {
      m.fsyncTime.observe(fsyncMs);
      if (fsyncMs > fsyncWarningThresholdMs) stats.fsyncThresholdExceedCount++;
    }
    m.syncBatchSize.observe(appends);
  };
  snapshotter.onWritten = (ms) => m.snapshotTime.observe(ms);
  const byType = new Map([
    [EventType.NodeCreated, m.nodeCreatedWatchCount],
    [EventType.NodeDeleted, m.nodeDeletedWatchCount],
    [EventType.NodeDataChanged, m.nodeChangedWatchCount],
    [EventType.NodeChildrenChanged, m.nodeChildrenWatchCount],
  ]);
  watches.onTriggered = (type, count) => byType.get(type)?.observe(count);
  if (quorum !== undefined) {
    quorum.runtime.metrics = quorumMetrics(m.registry);
    m.registry.derivedCounter("proposal_count", () => quorum.proposals.count);
  }
}
