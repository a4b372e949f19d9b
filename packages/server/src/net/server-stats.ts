// Server-wide request figures for srvr/stat/mntr. Connections add to them as they reply; `srst`
// resets them and `crst` (which resets each connection's own figures) leaves them alone.

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatencyMs = Number.MAX_SAFE_INTEGER;
  maxLatencyMs = 0;
  totalLatencyMs = 0;
  latencyCount = 0;
  /** Reply sizes in bytes (ZooKeeper's client_response BufferStats); -1 before the first. */
  lastResponseBytes = -1;
  minResponseBytes = -1;
  maxResponseBytes = -1;
  /** Txn log writes whose fsync took longer than fsync.warningthresholdms. */
  fsyncThresholdExceedCount = 0;

  recordResponseSize(bytes: number): void {
    this.lastResponseBytes = bytes;
    if (this.minResponseBytes < 0 || bytes < this.minResponseBytes) this.minResponseBytes = bytes;
    if (bytes > this.maxResponseBytes) this.maxResponseBytes = bytes;
  }

  recordLatency(latencyMs: number): void {
    this.minLatencyMs = Math.min(this.minLatencyMs, latencyMs);
    this.maxLatencyMs = Math.max(this.maxLatencyMs, latencyMs);
    this.totalLatencyMs += latencyMs;
    this.latencyCount++;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatencyMs = Number.MAX_SAFE_INTEGER;
    this.maxLatencyMs = 0;
    this.totalLatencyMs = 0;
    this.latencyCount = 0;
    this.lastResponseBytes = -1;
    this.minResponseBytes = -1;
    this.maxResponseBytes = -1;
    this.fsyncThresholdExceedCount = 0;
  }
}
