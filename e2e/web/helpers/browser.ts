/** The tests' browser: Debian's chromium with the web package's loopback WebRTC flags (fresh profile). */
export { chromiumMissing, launchChromium as launchBrowser, type LaunchedChromium as TestBrowser } from '@xp2p/web';
