/**
 * The AudioWorklet that turns the microphone into 16-bit PCM frames at the camera's rate. It runs on the
 * audio thread, so it is loaded from a Blob URL of this text (one bundle, no extra file to serve).
 * Resampling is linear: the context runs at the device's own rate (Firefox refuses a microphone source in
 * a context of another rate), talkback wants 8 or 16 kHz, and speech needs nothing finer.
 */
export const PCM_WORKLET_NAME = 'xp2p-pcm16';

export const PCM_WORKLET_SOURCE = `
class Pcm16Processor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.step = sampleRate / (o.targetRate || 16000);
    this.frame = new Int16Array(o.frameSamples || 320);
    this.filled = 0;
    // Positions count in the sequence [prev, ...block]: index 0 is the last sample of the previous block,
    // so interpolation across a block boundary needs no lookahead.
    this.pos = 0;
    this.prev = 0;
  }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input || input.length === 0) return true;
    const at = (j) => (j === 0 ? this.prev : input[j - 1]);
    while (this.pos < input.length) {
      const j = Math.floor(this.pos);
      const s = at(j) + (at(j + 1) - at(j)) * (this.pos - j);
      const v = Math.max(-1, Math.min(1, s));
      this.frame[this.filled++] = v < 0 ? v * 0x8000 : v * 0x7fff;
      if (this.filled === this.frame.length) {
        const out = this.frame.slice(0);
        this.port.postMessage(out.buffer, [out.buffer]);
        this.filled = 0;
      }
      this.pos += this.step;
    }
    this.pos -= input.length;
    this.prev = input[input.length - 1];
    return true;
  }
}
registerProcessor('${PCM_WORKLET_NAME}', Pcm16Processor);
`;
