import type { PriorityClass } from '../schemas/priority';
import { PRIORITY_CLASSES } from '../schemas/priority-classes';

/** What the queue needs of a waiting lease request. */
export interface QueuedLease {
  leaseId: string;
  model: string;
  priority: PriorityClass;
  /** The workload it belongs to (a campaign, a project, or the generation itself): the unit of fairness. */
  workload: string;
}

/** The queue's order, carried across continue-as-new: requests in rotation order, and each class's clock. */
export interface LeaseQueueState<R extends QueuedLease> {
  /** Per model and class, workloads in their round-robin order, each with its requests first-come first-served. */
  waiting: R[];
  /** Per model and class: when it last got a lease, or began waiting if later (workflow time, ms). */
  classClocks: Record<string, Partial<Record<PriorityClass, number>>>;
}

type ClassQueue<R> = Map<string, R[]>;

interface ModelQueue<R> {
  classes: Record<PriorityClass, ClassQueue<R>>;
  clocks: Partial<Record<PriorityClass, number>>;
}

/**
 * The lease pool's waiting line for each model: strict priority by class, round-robin by workload within a
 * class, arrival order within a workload. So an interactive request takes the next slot its model frees,
 * and two campaigns waiting together alternate instead of the first one's whole backlog going first.
 *
 * Batch is kept from starving by aging the class, not the request: a class that has waited `agingMs` since
 * it last got a lease of the model (or since it began waiting) goes ahead once, and its clock starts again.
 * Aging each request would lift the deep, deliberate backlog of a long campaign (hundreds of children
 * waiting half an hour by design) above an editor's fresh regeneration; a class clock moves only when the
 * class is actually shut out, so under ordinary load interactive work always goes next, and under a steady
 * stream of it each lower class still gets a lease of each model every `agingMs`.
 */
export class LeaseQueue<R extends QueuedLease> {
  private readonly models = new Map<string, ModelQueue<R>>();
  private readonly index = new Map<string, R>();

  constructor(
    /** How long a class may be shut out of a model before it goes ahead once; the pool sets it from its config. */
    public agingMs: number,
    state?: LeaseQueueState<R>,
  ) {
    for (const [model, clocks] of Object.entries(state?.classClocks ?? {})) this.modelQueue(model).clocks = { ...clocks };
    for (const request of state?.waiting ?? []) this.add(request, -Infinity);
  }

  get size(): number {
    return this.index.size;
  }

  has(leaseId: string): boolean {
    return this.index.has(leaseId);
  }

  /** Queue a request behind its workload's others (a repeated lease id is ignored). `now` starts its class's clock if the class was idle. */
  add(request: R, now: number): void {
    if (this.index.has(request.leaseId)) return;
    const queue = this.modelQueue(request.model);
    const line = queue.classes[request.priority];
    if (line.size === 0) queue.clocks[request.priority] = Math.max(queue.clocks[request.priority] ?? -Infinity, now);
    const requests = line.get(request.workload);
    if (requests) requests.push(request);
    else line.set(request.workload, [request]);
    this.index.set(request.leaseId, request);
  }

  /** Put a request at the very front of its class (a retried request for a lease it already held). */
  addFirst(request: R, now: number): void {
    this.remove(request.leaseId);
    this.add(request, now);
    const line = this.modelQueue(request.model).classes[request.priority];
    const requests = line.get(request.workload)!;
    requests.unshift(requests.pop()!);
    const rest = [...line.entries()].filter(([workload]) => workload !== request.workload);
    line.clear();
    line.set(request.workload, requests);
    for (const [workload, others] of rest) line.set(workload, others);
  }

  /** Put `request` where the waiting `leaseId` stands (same model, class and workload): it keeps that place in line. */
  replace(leaseId: string, request: R): void {
    const waiting = this.index.get(leaseId);
    if (!waiting) return;
    const requests = this.models.get(waiting.model)!.classes[waiting.priority].get(waiting.workload)!;
    requests[requests.indexOf(waiting)] = request;
    this.index.delete(leaseId);
    this.index.set(request.leaseId, request);
  }

  remove(leaseId: string): R | undefined {
    const request = this.index.get(leaseId);
    if (!request) return undefined;
    this.index.delete(leaseId);
    const line = this.models.get(request.model)!.classes[request.priority];
    const requests = line.get(request.workload)!;
    requests.splice(requests.indexOf(request), 1);
    if (requests.length === 0) line.delete(request.workload);
    return request;
  }

  /** Models with requests waiting. */
  waitingModels(): string[] {
    return [...this.models.entries()]
      .filter(([, queue]) => PRIORITY_CLASSES.some((c) => queue.classes[c].size > 0))
      .map(([model]) => model);
  }

  /** A model's waiting requests, in the order they would be granted if nothing changed (for refusals and quota notices). */
  *requestsOf(model: string): Generator<R> {
    const queue = this.models.get(model);
    if (!queue) return;
    for (const priority of PRIORITY_CLASSES) for (const requests of [...queue.classes[priority].values()]) yield* [...requests];
  }

  /** Every waiting request, model by model, each model's in grant order. */
  *all(): Generator<R> {
    for (const model of this.models.keys()) yield* this.requestsOf(model);
  }

  /** The request the model's next free slot goes to, without taking it. */
  peek(model: string, now: number): R | undefined {
    const queue = this.models.get(model);
    const priority = queue && this.nextClass(queue, now);
    if (!queue || !priority) return undefined;
    return queue.classes[priority].values().next().value?.[0];
  }

  /** Take the request the model's next free slot goes to: its workload moves to the back of its class's round. */
  take(model: string, now: number): R | undefined {
    const queue = this.models.get(model);
    const priority = queue && this.nextClass(queue, now);
    if (!queue || !priority) return undefined;
    const line = queue.classes[priority];
    const [workload, requests] = line.entries().next().value!;
    const request = requests.shift()!;
    line.delete(workload);
    if (requests.length > 0) line.set(workload, requests);
    this.index.delete(request.leaseId);
    queue.clocks[priority] = now;
    return request;
  }

  state(): LeaseQueueState<R> {
    const waiting: R[] = [];
    const classClocks: LeaseQueueState<R>['classClocks'] = {};
    for (const [model, queue] of this.models) {
      for (const priority of PRIORITY_CLASSES) for (const requests of queue.classes[priority].values()) waiting.push(...requests);
      const clocks = Object.fromEntries(
        Object.entries(queue.clocks).filter(([priority]) => queue.classes[priority as PriorityClass].size > 0),
      );
      if (Object.keys(clocks).length > 0) classClocks[model] = clocks;
    }
    return { waiting, classClocks };
  }

  /** The highest class with requests, unless a lower one has been shut out `agingMs`: then the longest shut out. */
  private nextClass(queue: ModelQueue<R>, now: number): PriorityClass | undefined {
    const waiting = PRIORITY_CLASSES.filter((priority) => queue.classes[priority].size > 0);
    const [top, ...lower] = waiting;
    let starved: PriorityClass | undefined;
    for (const priority of lower) {
      const since = queue.clocks[priority] ?? -Infinity;
      if (now - since >= this.agingMs && (starved === undefined || since < (queue.clocks[starved] ?? -Infinity))) starved = priority;
    }
    return starved ?? top;
  }

  private modelQueue(model: string): ModelQueue<R> {
    let queue = this.models.get(model);
    if (!queue) {
      queue = { classes: { interactive: new Map(), normal: new Map(), batch: new Map() }, clocks: {} };
      this.models.set(model, queue);
    }
    return queue;
  }
}
