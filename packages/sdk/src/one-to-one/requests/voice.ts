/**
 * Talkback: the viewer's microphone PCM goes up to the camera on a `voice` request. The camera admits
 * one talker at a time (a second gets 503, reported as -2601). The RecorderManager contract: an
 * interruption (onInterruptionBegin/End) pauses and resumes the talk (onPause gets inInterruption: true),
 * and a recorder that stops on its own (the mini-program's stops after its maximum duration) is started
 * again on the same upstream (onStop gets willRestart: true). A recorder whose source ended (its last
 * frame had isLastFrame: a file played to its end) ends the talk, as does stopVoiceService.
 */
import { ErrorCode, type ErrorCodeValue } from '@xp2p/protocol';
import { safeCall } from '../../safe-call.js';
import type { IpcSession } from '../session/ipc-session.js';
import type { RecorderManager, RecorderStartOptions, VoiceCallbacks } from './recorder.js';
import type { RequestHandle } from './request.js';

export interface VoiceTalk {
  stop(): void;
  readonly bytesSent: number;
}

/** Upstream audio beyond this much unsent is dropped rather than queued: talk must stay live. */
const MAX_UPSTREAM_BACKLOG_BYTES = 256 * 1024;

export interface VoiceStart {
  /** the talk, from the moment it is asked for: stop() before the camera answered cancels the request */
  talk: VoiceTalk;
  /** settles once the camera answered (or the talk was stopped first) */
  started: Promise<{ code: ErrorCodeValue; why?: string }>;
}

/** Asks the camera for talkback; `started` rejects (XP2PError) when the session cannot carry a request now. */
export function startVoice(
  session: IpcSession,
  recorder: RecorderManager,
  options: RecorderStartOptions,
  callbacks: VoiceCallbacks,
  channel: number,
  onEnded: (reason: string) => void,
): VoiceStart {
  const sampleRate = options.sampleRate ?? 16000;
  const channels = options.numberOfChannels ?? 1;
  const query = `channel=${channel}&sample_rate=${sampleRate}&channels=${channels}&bits=16`;
  let talk!: VoiceTalk;
  const started = new Promise<{ code: ErrorCodeValue; why?: string }>((resolve) => {
    let started = false;
    let stopped = false;
    let bytesSent = 0;
    // assigned once below; the callbacks defined first refer to it. It stays unset when the session cannot
    // carry the request (`started` then rejects), so stop() below does not count on it.
    // eslint-disable-next-line prefer-const
    let handle: RequestHandle;
    talk = {
      stop() {
        if (stopped) return;
        stopped = true;
        if (!started) {
          // not answered yet: no recorder runs, the request just goes
          (handle as RequestHandle | undefined)?.cancel();
          resolve({ code: ErrorCode.VOICE_START_FAILED, why: 'stopped before the camera answered' });
          return;
        }
        try {
          recorder.stop(); // its onStop ends the upstream
        } catch {
          handle.endUpstream();
        }
      },
      get bytesSent() {
        return bytesSent;
      },
    };
    let inInterruption = false;
    // a recorder whose source ended (a file played to its end) says so with isLastFrame: not restarted
    let sourceEnded = false;
    const recorderOptions = { ...options, sampleRate, numberOfChannels: channels };
    recorder.onStart(() => safeCall(callbacks.onStart));
    recorder.onPause(() => safeCall(callbacks.onPause, { inInterruption }));
    recorder.onResume(() => safeCall(callbacks.onResume));
    recorder.onInterruptionBegin?.(() => {
      if (stopped || !started || inInterruption) return;
      inInterruption = true;
      safeCall(() => recorder.pause()); // some recorders pause themselves first and refuse a second pause
    });
    recorder.onInterruptionEnd?.(() => {
      if (!inInterruption) return;
      inInterruption = false;
      if (!stopped) safeCall(() => recorder.resume());
    });
    recorder.onStop(() => {
      const willRestart = !stopped && started && !sourceEnded;
      safeCall(callbacks.onStop, { willRestart });
      if (willRestart && restartRecorder(recorder, recorderOptions)) return;
      stopped = true;
      handle.endUpstream();
      if (willRestart) onEnded('the recorder stopped and could not be started again');
    });
    recorder.onError(({ errMsg }) => {
      stopped = true;
      handle.endUpstream();
      onEnded(`recorder error: ${errMsg}`);
    });
    recorder.onFrameRecorded(({ frameBuffer, isLastFrame }) => {
      if (isLastFrame) sourceEnded = true;
      if (stopped || !started || inInterruption || frameBuffer.byteLength === 0) return;
      if (handle.bufferedAmount > MAX_UPSTREAM_BACKLOG_BYTES) return;
      if (handle.sendUpstream(new Uint8Array(frameBuffer))) bytesSent += frameBuffer.byteLength;
    });
    handle = session.request(
      { path: 'voice', query },
      {
        onHead(status, headers) {
          if (status !== 200) {
            handle.cancel();
            resolve({
              code: ErrorCode.VOICE_START_FAILED,
              why: `camera answered ${status}: ${headers['x-reason'] ?? ''}`,
            });
            return;
          }
          started = true;
          try {
            recorder.start(recorderOptions);
          } catch (err) {
            handle.cancel();
            resolve({ code: ErrorCode.VOICE_START_FAILED, why: `recorder did not start: ${String(err)}` });
            return;
          }
          resolve({ code: ErrorCode.OK });
        },
        onData() {},
        onEnd() {
          if (!stopped) talk.stop();
          onEnded('camera ended the talk');
        },
        onError(err) {
          if (!started) resolve({ code: ErrorCode.VOICE_START_FAILED, why: err.message });
          else {
            if (!stopped) talk.stop();
            onEnded(err.message);
          }
        },
      },
    );
  });
  return { talk, started };
}

/** Starts a recorder that stopped on its own again; false when it refuses. */
function restartRecorder(recorder: RecorderManager, options: RecorderStartOptions): boolean {
  try {
    recorder.start(options);
    return true;
  } catch {
    return false;
  }
}
