/**
 * One started 1v1 service (the guide's "p2p service" for an id): its session with the camera and what runs
 * on it (a stream, a talk, a download). Operations go through one serial queue (serial-queue.ts): start,
 * stream, voice, download, and the wait for a reconnect, each in call order, none seeing another half
 * done. stop() is synchronous, as the guide's stopP2PService: it cancels the queue (the operation in flight
 * is interrupted at its next await and answers with its "cancelled" code) and closes everything at once.
 * Who closes what: ../CLOSE-CASCADE.md.
 */
import {
  ErrorCode,
  type DeviceRequest,
  type ErrorCodeValue,
  type IncrementalHash,
  type Xp2pInfo,
} from '@xp2p/protocol';
import { XP2PEventEnum, XP2PNotify_SubType, type ServiceCallbacks } from '../../guide-events.js';
import type { SDK_DEFAULTS } from '../../defaults.js';
import { safeCall } from '../../safe-call.js';
import { commandError, runCommand, type CommandResult } from '../requests/command.js';
import { startDownload, type DownloadCallbacks, type RunningDownload } from '../requests/download.js';
import type { RecorderManager, RecorderStartOptions, VoiceCallbacks } from '../requests/recorder.js';
import { startVoice, type VoiceTalk } from '../requests/voice.js';
import { isLiveRequest, openLiveStream } from '../requests/live-stream.js';
import { openRelayFirstLive } from '../requests/relay-first-live.js';
import type { RequestHandle, RequestHandlers } from '../requests/request.js';
import { ViewerStartRelay } from '../requests/start-relay.js';
import { IpcSession, type Recovery, type SessionDeps, type SessionTimings } from '../session/ipc-session.js';
import type { TypedEmitter } from '../../typed-emitter.js';
import { abortable, isAbortError, SerialQueue } from './serial-queue.js';
import type { RunningStream } from './service.js';
import type { P2PEventMap } from './service-events.js';
import { startStream } from './stream-start.js';
import {
  askingForOneToMany,
  switchToOneToMany,
  type JoinOneToMany,
  type OneToManyOffer,
} from './one-to-many-switch.js';

export interface OneToOneServiceOptions {
  id: string;
  info: Xp2pInfo;
  /** the request in streamInfo.url (used when startP2PStream gets no `flv`) */
  defaultRequest: DeviceRequest;
  callbacks: ServiceCallbacks;
  deps: SessionDeps;
  config: typeof SDK_DEFAULTS;
  createHash: () => IncrementalHash;
  renewToken?: () => Promise<string>;
  /**
   * Relay-first start (requests/relay-first-live.ts): an auto-started live stream is answered over the
   * signalling connections, end-to-end encrypted, until the P2P channel opens. init's `startRelay`.
   */
  startRelay: boolean;
  events: TypedEmitter<P2PEventMap>;
  /** records why the last call for this id failed (lastError) */
  recordError: (why: string) => void;
  /** the service ended (stopped, failed to connect, disconnected): the registry forgets it */
  onGone: () => void;
  /** 1v1 → 1vN allowed: joins a full camera's 1vN stream (one-to-many-switch.ts) */
  joinOneToMany?: JoinOneToMany;
}

export interface ServiceStats {
  timings: SessionTimings & { streamStartedAt?: number; firstByteAt?: number };
  bytes: number;
  path?: string;
  /** reconnects after a broken network path (each with the time until the new connection was open) */
  recoveries: Recovery[];
  /** a relay-first start, once it moved to P2P: frames and sealed bytes relayed, spliced or handed over */
  startRelay?: { frames: number; bytes: number; spliced: boolean };
}

type SessionOrCode = { session: IpcSession } | { code: ErrorCodeValue; why: string };

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class OneToOneService {
  private readonly queue = new SerialQueue();
  private session: IpcSession | undefined;
  private stream: RunningStream | undefined;
  private voice: VoiceTalk | undefined;
  private download: RunningDownload | undefined;
  private callbacks: ServiceCallbacks;
  private ended = false;
  private startRelayed: ServiceStats['startRelay'];
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly o: OneToOneServiceOptions) {
    this.callbacks = { ...o.callbacks };
  }

  get id(): string {
    return this.o.id;
  }

  /** Connects; then, with a dataCallback, starts the default stream. OK when stopped meanwhile. */
  start(): Promise<number> {
    return this.queue.run(
      async (signal) => {
        const autoStream = this.o.callbacks.dataCallback;
        if (autoStream && this.o.startRelay && isLiveRequest(this.o.defaultRequest)) {
          const relay = await this.prepareRelay(signal);
          if (relay) return this.startRelayFirst(relay, autoStream, signal);
        }
        let session: IpcSession;
        try {
          const opening = IpcSession.open(this.sessionOptions(signal));
          session = await abortable(opening, signal, (late) => late.close());
        } catch (err) {
          if (isAbortError(err)) throw err;
          const code = this.fail(ErrorCode.START_STREAM_FAILED, `cannot connect to the camera: ${describe(err)}`);
          this.end();
          return code;
        }
        this.adopt(session);
        this.notify(XP2PNotify_SubType.Connected);
        const dataCallback = this.o.callbacks.dataCallback;
        if (!dataCallback) return ErrorCode.OK;
        // as before the queue: this stream's TTFF counts from here, the connect is in the session's timings
        const askedAt = this.o.deps.clock.now();
        const code = await this.openStream(session, this.o.defaultRequest, dataCallback, askedAt, signal);
        // an auto-start whose stream failed leaves no service behind, so the app's retry is not -2401
        if (code !== ErrorCode.OK) this.end();
        return code;
      },
      () => ErrorCode.OK,
    );
  }

  startStream(request: DeviceRequest | undefined, dataCallback: (data: ArrayBuffer) => void): Promise<number> {
    // TTFF counts the connect too when the stream had to wait for it (a cold start), else from this call
    const askedAt = this.o.deps.clock.now();
    const waitedForConnect = !this.session;
    return this.queue.run(
      async (signal) => {
        if (this.stream) return this.fail(ErrorCode.SERVICE_ALREADY_STARTED, 'a stream is already running');
        const s = await this.usableSession(signal);
        if ('code' in s) return this.fail(ErrorCode.START_STREAM_FAILED, 'disconnected');
        const from = waitedForConnect ? s.session.timings.startedAt : askedAt;
        return this.openStream(s.session, request ?? this.o.defaultRequest, dataCallback, from, signal);
      },
      () => ErrorCode.START_STREAM_FAILED,
    );
  }

  stopStream(): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.handle.cancel();
    stream.report.close();
    stream.cancelStart();
    this.notify(XP2PNotify_SubType.Close);
  }

  startVoice(recorder: RecorderManager, options: RecorderStartOptions, callbacks: VoiceCallbacks): Promise<number> {
    return this.queue.run(
      async (signal) => {
        const s = await this.usableSession(signal);
        if ('code' in s) return this.fail(s.code, s.why, false);
        if (this.voice) return this.fail(ErrorCode.SERVICE_ALREADY_STARTED, 'talkback already running');
        const channel = Number(new URLSearchParams(this.o.defaultRequest.query).get('channel') ?? '0') || 0;
        const onEnded = (reason: string) => {
          this.log(`talkback ended: ${reason}`);
          if (this.voice === talk) this.voice = undefined;
        };
        const { talk, started } = startVoice(s.session, recorder, options, callbacks, channel, onEnded);
        this.voice = talk;
        let result: { code: ErrorCodeValue; why?: string };
        try {
          result = await abortable(started, signal);
        } catch (err) {
          if (isAbortError(err)) throw err;
          result = { code: ErrorCode.VOICE_START_FAILED, why: describe(err) };
        }
        if (result.code === ErrorCode.OK) return ErrorCode.OK;
        if (this.voice === talk) this.voice = undefined;
        return this.fail(result.code, result.why ?? 'talkback failed');
      },
      () => ErrorCode.SERVICE_NOT_STARTED,
    );
  }

  stopVoice(): void {
    const voice = this.voice;
    this.voice = undefined;
    voice?.stop();
  }

  startDownload(urlParams: string, callbacks: DownloadCallbacks): Promise<number> {
    return this.queue.run(
      async (signal) => {
        const s = await this.usableSession(signal);
        if ('code' in s) return this.fail(s.code, s.why, false);
        if (this.download) return this.fail(ErrorCode.SERVICE_ALREADY_STARTED, 'a download is already running');
        // set once startDownload returned: a download can finish inside it (a request it could not make)
        const mine: { download?: RunningDownload } = {};
        let finished = false;
        const { config } = this.o;
        const { download, started } = startDownload(s.session, {
          urlParams,
          callbacks,
          createHash: this.o.createHash,
          onFinished: () => {
            finished = true;
            if (mine.download && this.download === mine.download) this.download = undefined;
          },
          log: (line) => this.log(line),
          onResumed: (offset) => this.o.events.emit('downloadResumed', { id: this.id, offset }),
          resumeGiveUpMs: config.downloadResumeGiveUpMs,
          resumesWithoutProgress: config.downloadResumesWithoutProgress,
        });
        mine.download = download;
        if (!finished) this.download = download;
        const result = await abortable(started, signal);
        if (result.code === ErrorCode.OK) return ErrorCode.OK;
        return this.fail(ErrorCode.DOWNLOAD_FAILED, result.why || 'download failed');
      },
      () => ErrorCode.SERVICE_NOT_STARTED,
    );
  }

  stopDownload(): void {
    const download = this.download;
    this.download = undefined;
    download?.cancel();
  }

  /** A command waits its turn for a usable session, then runs beside the queue (answers can take long). */
  async command(request: DeviceRequest, timeoutMs: number): Promise<CommandResult> {
    const s = await this.queue.run(
      (signal) => this.usableSession(signal),
      (): SessionOrCode => ({ code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${this.id} was stopped` }),
    );
    if ('code' in s) return commandError(s.code, s.why);
    return runCommand(s.session, request, timeoutMs);
  }

  /** The guide's stopP2PService: everything stops now; calls still waiting answer with their codes. */
  stop(): void {
    if (this.ended) return;
    this.stopStream();
    this.stopVoice();
    this.stopDownload();
    this.end();
  }

  updateCallbacks(callbacks: ServiceCallbacks): void {
    this.callbacks = { ...this.callbacks, ...callbacks };
    if (callbacks.dataCallback && this.stream) this.stream.dataCallback = callbacks.dataCallback;
  }

  async stats(): Promise<ServiceStats | undefined> {
    const session = this.session;
    if (!session) return undefined;
    return {
      timings: { ...session.timings, streamStartedAt: this.stream?.startedAt, firstByteAt: this.stream?.firstByteAt },
      bytes: this.stream?.bytes ?? 0,
      path: await session.selectedPath(),
      recoveries: [...session.recoveries],
      ...(this.startRelayed ? { startRelay: this.startRelayed } : {}),
    };
  }

  /** Operations queued or running (leak checks). */
  get pendingOperations(): number {
    return this.queue.size;
  }

  private sessionOptions(signal: AbortSignal) {
    const c = this.o.config;
    return {
      ...this.o.deps,
      token: this.o.info.payload.token,
      ...(this.o.renewToken ? { renewToken: this.o.renewToken } : {}),
      raceAfterMs: c.connectRaceAfterMs,
      relayAfterMs: c.relayAfterMs,
      maxAttempts: c.maxConnectAttempts,
      connectTimeoutMs: c.connectTimeoutMs,
      headTimeoutMs: c.requestHeadTimeoutMs,
      heartbeatMs: c.heartbeatMs,
      pathLostAfterMs: c.pathLostAfterMs,
      reconnectWindowMs: c.reconnectWindowMs,
      recoveryRoundMs: c.recoveryRoundMs,
      recoveryRaceAfterMs: c.recoveryRaceAfterMs,
      recoveryRetryMs: c.recoveryRetryMs,
      tokenRenewMarginMs: c.tokenRenewMarginMs,
      abort: signal,
      log: (line: string) => this.log(line),
    };
  }

  /** The session is the service's from now on: its events become the module's, a reconnect an operation. */
  private adopt(session: IpcSession): void {
    this.session = session;
    const { events } = this.o;
    const id = this.id;
    this.unsubscribe.push(
      session.events.on('pathLost', (reason) => events.emit('pathLost', { id, reason })),
      session.events.on('reconnecting', (reason) => {
        events.emit('reconnecting', { id, reason });
        // operations called from now on wait for the reconnect's outcome
        void this.queue.run(
          async (signal) => abortable(session.ready(), signal),
          () => false,
        );
      }),
      session.events.on('reconnected', (r) => events.emit('reconnected', { id, ...r })),
      session.events.on('tokenRenewed', () => events.emit('tokenRenewed', { id })),
      session.events.on('heartbeatUnanswered', () => events.emit('heartbeatUnanswered', { id })),
      session.events.on('disconnected', (reason) => this.lost(reason)),
    );
  }

  /**
   * A cold start with a live stream: its request rides in the first offer and the camera answers over
   * signalling at once (end-to-end encrypted), so bytes flow while ICE, DTLS and SCTP come up; the stream
   * moves to the P2P channel once it opens. Resolves like start() once P2P is open and the stream answered.
   */
  private async startRelayFirst(
    relay: ViewerStartRelay,
    dataCallback: (data: ArrayBuffer) => void,
    signal: AbortSignal,
  ): Promise<number> {
    const askedAt = this.o.deps.clock.now();
    const request = this.asked(this.o.defaultRequest);
    let opened: IpcSession | undefined;
    let resolveSession: (s: IpcSession) => void = () => {};
    let rejectSession: (err: unknown) => void = () => {};
    const session = new Promise<IpcSession>((resolve, reject) => {
      resolveSession = resolve;
      rejectSession = reject;
    });
    session.catch(() => {});
    const open = (handlers: RequestHandlers): RequestHandle =>
      openRelayFirstLive({
        relay,
        session,
        request,
        handlers,
        log: (line) => this.log(line),
        onResumed: (resumes) => this.o.events.emit('liveResumed', { id: this.id, resumes }),
        onHandedOver: (how) => {
          this.startRelayed = how;
          this.o.events.emit('startRelayHandedOver', { id: this.id, ...how });
        },
      });
    // The guide's notifies keep their order (connected, request, parsed): 'connected' comes with the first
    // answer, relayed or not, or with the P2P connection, whichever is first.
    let connected = false;
    const held: [string, unknown][] = [];
    const connect = () => {
      if (connected) return;
      connected = true;
      this.notify(XP2PNotify_SubType.Connected);
      for (const [subtype, detail] of held.splice(0)) this.notify(subtype, detail);
    };
    const notify = (subtype: string, detail?: unknown) => {
      if (subtype === XP2PNotify_SubType.Parsed) connect();
      if (connected) this.notify(subtype, detail);
      else held.push([subtype, detail]);
    };
    // the stream listens for relay frames before the offer can leave
    const streaming = this.runStream(open, () => opened, dataCallback, askedAt, notify);
    try {
      const opening = IpcSession.open({ ...this.sessionOptions(signal), start: relay.start });
      opened = await abortable(opening, signal, (late) => late.close());
    } catch (err) {
      rejectSession(err);
      this.dropStream();
      relay.close();
      if (isAbortError(err)) throw err;
      const code = this.fail(ErrorCode.START_STREAM_FAILED, `cannot connect to the camera: ${describe(err)}`);
      this.end();
      return code;
    }
    this.adopt(opened);
    connect();
    resolveSession(opened);
    const code = await abortable(streaming, signal);
    if (code !== ErrorCode.OK) this.end();
    return code;
  }

  /**
   * The relay's key pair, or undefined where WebCrypto's ECDH is missing (a page served over plain http
   * from another host is not a secure context: no crypto.subtle): the start then waits for P2P, as before.
   */
  private async prepareRelay(signal: AbortSignal): Promise<ViewerStartRelay | undefined> {
    try {
      return await abortable(ViewerStartRelay.prepare(this.o.deps.signal, this.asked(this.o.defaultRequest)), signal);
    } catch (err) {
      if (isAbortError(err)) throw err;
      this.log(`relay-first start unavailable here, starting over P2P only: ${describe(err)}`);
      return undefined;
    }
  }

  private openStream(
    session: IpcSession,
    request: DeviceRequest,
    dataCallback: (data: ArrayBuffer) => void,
    ttffFrom: number,
    signal: AbortSignal,
  ): Promise<number> {
    const log = (line: string) => this.log(line);
    const onResumed = (resumes: number) => this.o.events.emit('liveResumed', { id: this.id, resumes });
    const asked = this.asked(request);
    const open = (handlers: RequestHandlers): RequestHandle =>
      isLiveRequest(asked)
        ? openLiveStream(session, asked, handlers, log, onResumed)
        : session.request(asked, handlers);
    return abortable(
      this.runStream(open, () => session, dataCallback, ttffFrom),
      signal,
    );
  }

  private runStream(
    open: (handlers: RequestHandlers) => RequestHandle,
    reportSession: () => IpcSession | undefined,
    dataCallback: (data: ArrayBuffer) => void,
    ttffFrom: number,
    notify = (subtype: string, detail?: unknown) => this.notify(subtype, detail),
  ): Promise<number> {
    return startStream({
      clock: this.o.deps.clock,
      reportSession,
      open,
      dataCallback,
      ttffFrom,
      reportEveryMs: this.o.config.streamReportEveryMs,
      notify,
      log: (line) => this.log(line),
      fail: (code, why) => this.fail(code as ErrorCodeValue, why),
      register: (stream) => (this.stream = stream),
      unregister: (stream) => {
        if (this.stream === stream) this.stream = undefined;
      },
      ...(this.o.joinOneToMany ? { oneToMany: this.switcher(this.o.joinOneToMany, dataCallback) } : {}),
    });
  }

  /** A live request as sent: asking for a full camera's 1vN stream where that is allowed (one-to-many-switch.ts). */
  private asked(request: DeviceRequest): DeviceRequest {
    return this.o.joinOneToMany && isLiveRequest(request) ? askingForOneToMany(request) : request;
  }

  /** The stream goes without a word to the app (its start failed: the caller reports why). */
  private dropStream(): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.handle.cancel();
    stream.report.close();
    stream.cancelStart();
  }

  /** How a full camera's 1vN stream becomes this service's stream. */
  private switcher(join: JoinOneToMany, dataCallback: (data: ArrayBuffer) => void) {
    return ({ stream, publicKey }: OneToManyOffer, reason: string): Promise<number> =>
      switchToOneToMany({
        join,
        stream,
        ...(publicKey ? { publicKey } : {}),
        reason,
        dataCallback,
        clock: this.o.deps.clock,
        notify: (subtype, detail) => this.notify(subtype, detail),
        log: (line) => this.log(line),
        switched: () =>
          this.o.events.emit('switchedToOneToMany', { id: this.id, stream, reason, signed: publicKey !== undefined }),
        fail: (code, why) => this.fail(code as ErrorCodeValue, why),
        register: (running) => (this.stream = running),
        unregister: (running) => {
          if (this.stream === running) this.stream = undefined;
        },
      });
  }

  /** The session once it is usable (after a reconnect in progress), or the code saying why there is none. */
  private async usableSession(signal: AbortSignal): Promise<SessionOrCode> {
    const session = this.session;
    if (!session) return { code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${this.id} has no connection` };
    if (!(await abortable(session.ready(), signal))) {
      return { code: ErrorCode.SERVICE_NOT_STARTED, why: `service ${this.id} disconnected` };
    }
    return { session };
  }

  /** The session is gone for good (a reconnect failed, or the camera refused it). */
  private lost(reason: string): void {
    this.log(`disconnected: ${reason}`);
    this.voice?.stop();
    this.voice = undefined;
    this.dropStream();
    // the registry forgets the service first: an app that restarts it from its disconnect handler may
    this.end();
    safeCall(this.callbacks.msgCallback, XP2PEventEnum.Notify, XP2PNotify_SubType.Disconnect, { reason });
    this.o.events.emit('disconnected', { id: this.id, reason });
  }

  /**
   * Cancels the queue, closes the session and leaves the registry. From now on the app hears nothing more
   * from this service on msgCallback (a request that ends after the session closed stays quiet).
   */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.cancel();
    for (const off of this.unsubscribe.splice(0)) off();
    this.session?.close();
    this.o.onGone();
  }

  private fail(code: ErrorCodeValue, why: string, log = true): ErrorCodeValue {
    this.o.recordError(why);
    if (log) this.log(why);
    return code;
  }

  log(line: string): void {
    if (!this.ended) safeCall(this.callbacks.msgCallback, XP2PEventEnum.Log, '', line);
  }

  private notify(subtype: string, detail?: unknown): void {
    if (!this.ended) safeCall(this.callbacks.msgCallback, XP2PEventEnum.Notify, subtype, detail);
  }
}
