/**
 * The camera's side of request framing (protocol/framing) on one fresh data channel: the first message is
 * the request frame, checked against its schema (a bad one is answered 400); the handler then answers
 * through a ChannelResponseWriter; later messages are talkback bytes and their end marker.
 */
import { parseRequestFrame, parseSignal, upstreamFrameSchema } from '@xp2p/protocol';
import { ChannelResponseWriter, type RequestContext, type RequestHandler } from './response-writer.js';

export function serveRequestChannel(
  channel: RTCDataChannel,
  handle: RequestHandler,
  log: (line: string) => void,
  ctx: RequestContext = { sessionId: '' },
): void {
  channel.binaryType = 'arraybuffer';
  const writer = new ChannelResponseWriter(channel);
  let gotRequest = false;

  channel.onmessage = (ev: MessageEvent) => {
    if (!gotRequest) {
      gotRequest = true;
      if (typeof ev.data !== 'string') return writer.fail(400, 'first message must be the request');
      const parsed = parseRequestFrame(ev.data);
      if (!parsed.ok) return writer.fail(400, parsed.error);
      const params = new URLSearchParams(parsed.message.query);
      try {
        handle(parsed.message, params, writer, ctx);
      } catch (err) {
        log(`request handler failed: ${String(err)}`);
        writer.fail(500, 'internal error');
      }
      return;
    }
    if (typeof ev.data === 'string') {
      const parsed = parseSignal(upstreamFrameSchema, ev.data);
      if (parsed.ok) writer.upstreamEnded();
      return;
    }
    writer.upstreamData(ev.data as ArrayBuffer);
  };
  channel.onclose = () => writer.channelClosed(log);
}
