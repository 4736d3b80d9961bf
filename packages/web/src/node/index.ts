/** Node-side helpers of the web app: where it is built, a same-origin server, browser bench. */
export { webRoot, webAppBuilt } from './web-root.js';
export { serveWeb, type ServeWebOptions, type WebServer } from './serve-web.js';
export {
  launchChromium,
  chromiumMissing,
  CHROMIUM,
  CHROMIUM_ARGS,
  type LaunchOptions,
  type LaunchedChromium,
} from './chromium.js';
export { benchBrowserTtff, type BrowserTtffOptions, type BrowserTtffResult } from './bench-browser-ttff.js';
export { measureWebSizes, pageAssets, WEB_SIZE_BUDGETS, type WebSizes, type WebFileSize } from './bundle-sizes.js';
