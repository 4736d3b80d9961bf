/** Talkback: one talker at a time, its PCM to a WAV file, a program or the app. */
export * from './voice-sink.js';
export * from './voice-handler.js';
export * from './wav-file-sink.js';
export * from './command-sink.js';
