import { describe, expect, it } from 'vitest';
import { streamNameSchema } from '../swarm/chunk-meta.js';
import { cameraPublishKey, checkCameraPublish, isCameraStreamName, newCameraStream } from './camera-stream.js';

const secretA = 'secret-of-camera-a-0123456789';
const secretB = 'secret-of-camera-b-0123456789';
const camA = 'demo/camA';
const camB = 'demo/camB';

describe('camera 1vN stream names and publish keys', () => {
  it('a camera publishes its own fresh name with its key', async () => {
    const { name, key } = await newCameraStream(secretA, camA);
    expect(isCameraStreamName(name)).toBe(true);
    expect(streamNameSchema.safeParse(name).success).toBe(true);
    expect(await checkCameraPublish(secretA, camA, name, key)).toBe(true);
  });

  it('names are new each publish and say nothing of the device', async () => {
    const a = await newCameraStream(secretA, camA);
    const b = await newCameraStream(secretA, camA);
    expect(a.name).not.toBe(b.name);
    expect(a.name).not.toMatch(/demo|camA/);
  });

  it('another device cannot publish the name, even with a key made with its own secret', async () => {
    const { name } = await newCameraStream(secretA, camA);
    // device B claims itself and signs A's name with B's secret: the name's tag is A's
    expect(await checkCameraPublish(secretB, camB, name, await cameraPublishKey(secretB, camB, name))).toBe(false);
    // device B claims to be A: it has no key A's secret makes
    expect(await checkCameraPublish(secretA, camA, name, await cameraPublishKey(secretB, camA, name))).toBe(false);
  });

  it('a viewer who knows the name but not the secret cannot publish it', async () => {
    const { name, key } = await newCameraStream(secretA, camA);
    for (const guess of ['', name, key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'), 'x'.repeat(43)]) {
      expect(await checkCameraPublish(secretA, camA, name, guess)).toBe(false);
    }
  });

  it('a made-up cam- name is refused whatever the key', async () => {
    const forged = `cam-${'A'.repeat(22)}${'B'.repeat(22)}`;
    expect(await checkCameraPublish(secretA, camA, forged, await cameraPublishKey(secretA, camA, forged))).toBe(false);
    expect(await checkCameraPublish(secretA, camA, 'cam-short', 'k')).toBe(false);
  });
});
