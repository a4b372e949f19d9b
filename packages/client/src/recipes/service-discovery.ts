// Curator's service discovery (curator-x-discovery): each instance of a service is a node
// `<basePath>/<name>/<id>` holding the instance as JSON in the form Curator's
// JsonInstanceSerializer writes by default (its "compatible" form: name, id, address, port,
// sslPort, payload, registrationTimeUTC, serviceType, uriSpec). DYNAMIC instances are ephemeral
// and registered again after a reconnection or a new session, so Java services discover
// TypeScript ones and the other way round.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { CreateMode, ErrorCode } from "@paddock/jute";
import type { ZooKeeperClient } from "../client.js";
import type { ConnectionStateChange } from "../connection-tracker.js";
import { isZooKeeperError } from "../errors.js";
import { withRetry } from "../retry.js";
import { PathChildrenCache } from "./path-children-cache.js";
import {
  childrenOrEmpty,
  deleteGuaranteed,
  ensureNode,
  joinPath,
  nodeName,
  recipeCreate,
} from "./protected-create.js";

export type ServiceType = "DYNAMIC" | "STATIC" | "PERMANENT" | "DYNAMIC_SEQUENTIAL";

export interface UriSpec {
  parts: { value: string; variable: boolean }[];
}

/** Curator's ServiceInstance, field for field. */
export interface ServiceInstance<P = unknown> {
  name: string;
  id: string;
  address: string | null;
  port: number | null;
  sslPort: number | null;
  payload: P | null;
  registrationTimeUTC: number;
  serviceType: ServiceType;
  uriSpec: UriSpec | null;
  /** Written by Curator's non-compatible serializer only; absent means enabled. */
  enabled?: boolean;
}

/** What registerService needs; the rest gets Curator's defaults (a UUID id, now, DYNAMIC). */
export type ServiceInstanceInput<P = unknown> = Pick<ServiceInstance<P>, "name"> &
  Partial<ServiceInstance<P>>;

export function serviceInstance<P>(input: ServiceInstanceInput<P>): ServiceInstance<P> {
  return {
    name: input.name,
    id: input.id ?? randomUUID(),
    address: input.address ?? null,
    port: input.port ?? null,
    sslPort: input.sslPort ?? null,
    payload: input.payload ?? null,
    registrationTimeUTC: input.registrationTimeUTC ?? Date.now(),
    serviceType: input.serviceType ?? "DYNAMIC",
    uriSpec: input.uriSpec ?? null,
    ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
  };
}

/** The JSON Curator's JsonInstanceSerializer writes by default (without `enabled`). */
export function encodeInstance(instance: ServiceInstance<unknown>): Buffer {
  const { name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType, uriSpec } = instance;
  return Buffer.from(
    JSON.stringify({ name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType, uriSpec }),
    "utf8",
  );
}

export function decodeInstance<P>(bytes: Buffer): ServiceInstance<P> {
  const raw = JSON.parse(bytes.toString("utf8")) as Partial<ServiceInstance<P>> & {
    name?: unknown;
    id?: unknown;
  };
  if (typeof raw.name !== "string" || typeof raw.id !== "string") throw new Error("not a service instance");
  return serviceInstance<P>(raw as ServiceInstanceInput<P>);
}

function createModeOf(type: ServiceType): CreateMode {
  if (type === "DYNAMIC") return CreateMode.Ephemeral;
  if (type === "DYNAMIC_SEQUENTIAL") return CreateMode.EphemeralSequential;
  return CreateMode.Persistent;
}

export class ServiceDiscovery<P = unknown> {
  private readonly registered = new Map<string, ServiceInstance<P>>();
  private started = false;

  constructor(
    readonly client: ZooKeeperClient,
    readonly basePath: string,
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await ensureNode(this.client, this.basePath);
    this.client.on("connectionState", this.onConnectionState);
  }

  /** Unregisters every instance registered here. */
  async close(): Promise<void> {
    this.client.off("connectionState", this.onConnectionState);
    await Promise.all([...this.registered.values()].map((i) => this.unregisterService(i)));
  }

  pathForName(name: string): string {
    return joinPath(this.basePath, name);
  }

  pathForInstance(name: string, id: string): string {
    return joinPath(this.pathForName(name), id);
  }

  /** Registers an instance (defaults filled in, see serviceInstance()) and returns it. */
  async registerService(input: ServiceInstanceInput<P>): Promise<ServiceInstance<P>> {
    const instance = serviceInstance(input);
    await this.write(instance);
    this.registered.set(instance.id, instance);
    return instance;
  }

  /** Replaces a registered instance's data. */
  async updateService(instance: ServiceInstance<P>): Promise<void> {
    if (!this.registered.has(instance.id))
      throw new Error(`service instance ${instance.id} is not registered here`);
    this.registered.set(instance.id, instance);
    const path = this.pathForInstance(instance.name, instance.id);
    await withRetry(this.client.retryPolicy, () => this.client.setData(path, encodeInstance(instance)));
  }

  async unregisterService(instance: ServiceInstance<P>): Promise<void> {
    this.registered.delete(instance.id);
    await deleteGuaranteed(this.client, this.pathForInstance(instance.name, instance.id));
  }

  /** The names of all services. */
  queryForNames(): Promise<string[]> {
    return childrenOrEmpty(this.client, this.basePath);
  }

  /** The instances of one service. */
  async queryForInstances(name: string): Promise<ServiceInstance<P>[]> {
    const out: ServiceInstance<P>[] = [];
    for (const id of (await childrenOrEmpty(this.client, this.pathForName(name))).sort()) {
      const instance = await this.queryForInstance(name, id);
      if (instance !== undefined) out.push(instance);
    }
    return out;
  }

  async queryForInstance(name: string, id: string): Promise<ServiceInstance<P> | undefined> {
    try {
      const { data } = await withRetry(this.client.retryPolicy, () =>
        this.client.getData(this.pathForInstance(name, id)),
      );
      return decodeInstance<P>(data ?? Buffer.alloc(0));
    } catch (e) {
      if (isZooKeeperError(e, ErrorCode.NoNode)) return undefined;
      // A node that is not an instance (e.g. written by another tool) is skipped, as Curator does.
      if (e instanceof SyntaxError || (e instanceof Error && e.message === "not a service instance"))
        return undefined;
      throw e;
    }
  }

  /** A live view of one service's instances. */
  serviceCache(name: string): ServiceCache<P> {
    return new ServiceCache<P>(this.client, this.pathForName(name));
  }

  /** Creates the instance's node; one already there is deleted first so watchers see the change. */
  private async write(instance: ServiceInstance<P>): Promise<void> {
    const path = this.pathForInstance(instance.name, instance.id);
    const bytes = encodeInstance(instance);
    for (let attempt = 0; ; attempt++) {
      try {
        await recipeCreate(this.client, path, {
          data: bytes,
          mode: createModeOf(instance.serviceType),
          protection: false,
        });
        return;
      } catch (e) {
        if (!isZooKeeperError(e, ErrorCode.NodeExists) || attempt >= 1) throw e;
        await deleteGuaranteed(this.client, path);
      }
    }
  }

  private readonly onConnectionState = (change: ConnectionStateChange): void => {
    if (change.state !== "RECONNECTED" && change.state !== "CONNECTED") return;
    for (const instance of this.registered.values()) {
      this.write(instance).catch(() => {
        // Still disconnected or racing another reconnection: the next RECONNECTED tries again.
      });
    }
  };
}

export interface ServiceCacheEvents<P> {
  change: [instances: ServiceInstance<P>[]];
  error: [err: unknown];
}

/** Curator's ServiceCache: the instances of one service, kept current. */
export class ServiceCache<P = unknown> extends EventEmitter<ServiceCacheEvents<P>> {
  private readonly cache: PathChildrenCache;

  constructor(client: ZooKeeperClient, servicePath: string) {
    super();
    this.cache = new PathChildrenCache(client, servicePath);
    let initialized = false;
    const changed = () => {
      if (initialized) this.emit("change", this.instances);
    };
    this.cache.on("childAdded", changed).on("childUpdated", changed).on("childRemoved", changed);
    this.cache.on("initialized", () => {
      initialized = true;
      this.emit("change", this.instances);
    });
    this.cache.on("error", (e) => this.emit("error", e));
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  close(): void {
    this.cache.close();
  }

  /** The current instances, by id. */
  get instances(): ServiceInstance<P>[] {
    const out: ServiceInstance<P>[] = [];
    for (const child of this.cache.currentData) {
      try {
        out.push(decodeInstance<P>(child.data ?? Buffer.alloc(0)));
      } catch {
        // not an instance: skipped
      }
    }
    return out.sort((a, b) => (nodeName(a.id) < nodeName(b.id) ? -1 : 1));
  }
}
