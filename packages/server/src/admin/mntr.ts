// mntr: ZooKeeper 3.8's monitoring keys, in its order, from a MonitorSnapshot.

import type { MonitorSnapshot } from "./four-letter-snapshots.js";
import { JavaDouble, javaDouble, roundHalfUp4 } from "./java-format.js";

// ZooKeeper 3.8.0's ServerMetrics, in the order a standalone server prints them, so that the
// whole mntr output has the same lines as the real one.
export const MNTR_COUNTERS = [
  "proposal_count",
  "watch_bytes",
  "outstanding_changes_removed",
  "throttled_ops",
  "stale_requests_dropped",
  "large_requests_rejected",
  "insecure_admin_count",
  "connection_rejected",
  "cnxn_closed_without_zk_server_running",
  "sessionless_connections_expired",
  "looking_count",
  "dead_watchers_queued",
  "stale_requests",
  "connection_drop_count",
  "learner_proposal_received_count",
  "digest_mismatches_count",
  "dead_watchers_cleared",
  "response_packet_cache_hits",
  "bytes_received_count",
  "add_dead_watcher_stall_time",
  "request_throttle_wait_count",
  "requests_not_forwarded_to_commit_processor",
  "response_packet_cache_misses",
  "ensemble_auth_success",
  "prep_processor_request_queued",
  "learner_commit_received_count",
  "stale_replies",
  "connection_request_count",
  "response_bytes",
  "ensemble_auth_fail",
  "diff_count",
  "response_packet_get_children_cache_misses",
  "connection_revalidate_count",
  "quit_leading_due_to_disloyal_voter",
  "snap_count",
  "unrecoverable_error_count",
  "unsuccessful_handshake",
  "commit_count",
  "stale_sessions_expired",
  "response_packet_get_children_cache_hits",
  "sync_processor_request_queued",
  "outstanding_changes_queued",
  "request_commit_queued",
  "ensemble_auth_skip",
  "skip_learner_request_to_next_processor_count",
  "tls_handshake_exceeded",
  "revalidate_count",
] as const;

/**
 * Paddock's own counters, printed after ZooKeeper's: limits ZooKeeper enforces without counting
 * their trips (docs/limits.md). Names follow ZooKeeper's style.
 */
export const PADDOCK_MNTR_COUNTERS = ["global_outstanding_limit_reached"] as const;

export const MNTR_SUMMARIES = [
  "socket_closing_time",
  "proposal_process_time",
  "leader_unavailable_time",
  "node_created_watch_count",
  "session_queues_drained",
  "write_commit_proc_req_queued",
  "connection_token_deficit",
  "read_commit_proc_req_queued",
  "node_deleted_watch_count",
  "startup_txns_load_time",
  "sync_processor_queue_size",
  "follower_sync_time",
  "prep_processor_queue_size",
  "fsynctime",
  "inflight_snap_count",
  "reads_issued_from_session_queue",
  "learner_request_processor_queue_size",
  "snapshottime",
  "unavailable_time",
  "startup_txns_loaded",
  "reads_after_write_in_session_queue",
  "requests_in_session_queue",
  "write_commit_proc_issued",
  "prep_process_time",
  "pending_session_queue_size",
  "time_waiting_empty_pool_in_commit_processor_read_ms",
  "commit_process_time",
  "dbinittime",
  "inflight_diff_count",
  "netty_queued_buffer_capacity",
  "election_time",
  "commit_commit_proc_req_queued",
  "sync_processor_batch_size",
  "node_children_watch_count",
  "write_batch_time_in_commit_processor",
  "read_commit_proc_issued",
  "concurrent_request_processing_in_commit_processor",
  "observer_sync_time",
  "node_changed_watch_count",
  "sync_process_time",
  "startup_snap_load_time",
] as const;

export const MNTR_PERCENTILE_SUMMARIES = [
  "prep_processor_queue_time_ms",
  "jvm_pause_time_ms",
  "close_session_prep_time",
  "read_commitproc_time_ms",
  "updatelatency",
  "local_write_committed_time_ms",
  "request_throttle_queue_time_ms",
  "readlatency",
  "quorum_ack_latency",
  "om_commit_process_time_ms",
  "read_final_proc_time_ms",
  "commit_propagation_latency",
  "dead_watchers_cleaner_latency",
  "write_final_proc_time_ms",
  "proposal_ack_creation_latency",
  "proposal_latency",
  "om_proposal_process_time_ms",
  "sync_processor_queue_and_flush_time_ms",
  "propagation_latency",
  "server_write_committed_time_ms",
  "sync_processor_queue_time_ms",
  "sync_processor_queue_flush_time_ms",
  "write_commitproc_time_ms",
] as const;

export type MonitorValue = string | number | JavaDouble;

/** mntr: `zk_<key>\t<value>` lines in 3.8.0's order (version and state first). */
export function formatMntr(m: MonitorSnapshot): string {
  return mntrEntries(m)
    .map(([key, value]) => `zk_${key}\t${value instanceof JavaDouble ? javaDouble(value.value) : value}\n`)
    .join("");
}

/** The monitor values in mntr's order, keys without `zk_`; doubles marked as Java prints them. */
export function mntrEntries(m: MonitorSnapshot): Array<[string, MonitorValue]> {
  const lines: Array<[string, MonitorValue]> = [];
  const put = (key: string, value: MonitorValue | undefined) => {
    if (value !== undefined) lines.push([key, value]);
  };
  put("version", m.version);
  put("server_state", m.serverState);
  put("peer_state", m.peerState);
  put("ephemerals_count", m.ephemeralsCount);
  put("num_alive_connections", m.aliveConnections);
  put("avg_latency", new JavaDouble(roundHalfUp4(m.avgLatencyMs)));
  put("outstanding_requests", m.outstandingRequests);
  put("znode_count", m.znodeCount);
  put("global_sessions", m.globalSessions);
  put("non_mtls_remote_conn_count", m.nonMtlsRemoteConnCount);
  put("last_client_response_size", m.lastClientResponseSize);
  put("packets_sent", m.packetsSent);
  put("packets_received", m.packetsReceived);
  put("max_client_response_size", m.maxClientResponseSize);
  put(
    "connection_drop_probability",
    m.connectionDropProbability === undefined ? undefined : new JavaDouble(m.connectionDropProbability),
  );
  put("watch_count", m.watchCount);
  put("auth_failed_count", m.authFailedCount);
  put("min_latency", m.minLatencyMs);
  put("max_file_descriptor_count", m.maxFileDescriptorCount);
  put("approximate_data_size", m.approximateDataSizeBytes);
  put("open_file_descriptor_count", m.openFileDescriptorCount);
  put("local_sessions", m.localSessions);
  put("uptime", m.uptimeMs);
  put("max_latency", m.maxLatencyMs);
  put("outstanding_tls_handshake", m.outstandingTlsHandshake);
  put("min_client_response_size", m.minClientResponseSize);
  put("non_mtls_local_conn_count", m.nonMtlsLocalConnCount);
  put("quorum_size", m.quorumSize);
  const l = m.leader;
  if (l !== undefined) {
    put("learners", l.learners);
    put("synced_followers", l.syncedFollowers);
    put("synced_non_voting_followers", l.syncedNonVotingFollowers);
    put("synced_observers", l.syncedObservers);
    put("pending_syncs", l.pendingSyncs);
    put("leader_uptime", l.leaderUptimeMs);
    put("last_proposal_size", l.lastProposalSize);
    put("max_proposal_size", l.maxProposalSize);
    put("min_proposal_size", l.minProposalSize);
  }
  // Only the metrics Paddock measures are in the snapshot; the others are left out, never 0.
  for (const name of MNTR_COUNTERS) put(name, m.counters?.[name]);
  for (const name of PADDOCK_MNTR_COUNTERS) put(name, m.counters?.[name]);
  const summary = (name: string, percentiles: boolean) => {
    const s = m.summaries?.[name];
    if (s === undefined) return;
    put(`avg_${name}`, new JavaDouble(s.count === 0 ? 0 : s.sum / s.count));
    put(`min_${name}`, s.min);
    put(`max_${name}`, s.max);
    put(`cnt_${name}`, s.count);
    put(`sum_${name}`, s.sum);
    if (percentiles) {
      put(`p50_${name}`, s.p50);
      put(`p95_${name}`, s.p95);
      put(`p99_${name}`, s.p99);
      put(`p999_${name}`, s.p999);
    }
  };
  for (const name of MNTR_SUMMARIES) summary(name, false);
  for (const name of MNTR_PERCENTILE_SUMMARIES) summary(name, true);
  return lines;
}
