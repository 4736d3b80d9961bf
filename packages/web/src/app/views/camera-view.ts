/**
 * One camera: live view with talk underneath, and tabs for commands, recordings and files. All of them
 * use the live view's P2P service; closing the page stops every service it started.
 */
import { cameraLabel, cameraPath, type CameraContext, type CameraRef, type Panel } from '../camera-context.js';
import { h } from '../dom.js';
import type { P2PModule } from '../sdk.js';
import type { Role } from '../web-api.js';
import { commandsPanel } from '../panels/commands-panel.js';
import { filesPanel } from '../panels/files-panel.js';
import { livePanel } from '../panels/live-panel.js';
import { recordingsPanel } from '../panels/recordings-panel.js';
import { talkPanel } from '../panels/talk-panel.js';

export function cameraView(p2p: P2PModule, camera: CameraRef, role: Role | undefined): Panel {
  const base = { role, p2p, camera, serviceId: `live:${cameraLabel(camera)}` };
  const live = livePanel(base);
  let connecting = live.start();
  const ctx: CameraContext = {
    ...base,
    // a failed or lost live view is started again by the next panel that needs the connection
    connected: async () => {
      const now = await connecting;
      if (now.ok) return now;
      connecting = live.start();
      return connecting;
    },
  };
  const talk = talkPanel(ctx);
  live.el.appendChild(talk.el);
  const tabs: { name: string; panel: Panel }[] = [
    { name: 'Commands', panel: commandsPanel(ctx) },
    { name: 'Recordings', panel: recordingsPanel(ctx) },
    { name: 'Files', panel: filesPanel(ctx) },
  ];
  const tabButtons = tabs.map((t, i) =>
    h('button', { type: 'button', role: 'tab', 'data-tab': t.name, onclick: () => select(i) }, t.name),
  );
  const tabBody = h('div', { class: 'tab-body' });
  function select(index: number): void {
    tabs.forEach((t, i) => {
      tabButtons[i]?.setAttribute('aria-selected', String(i === index));
      t.panel.el.hidden = i !== index;
    });
    tabs[index]?.panel.show?.();
  }
  for (const t of tabs) tabBody.appendChild(t.panel.el);
  select(0);
  const el = h(
    'div',
    { class: 'camera' },
    h(
      'div',
      { class: 'row title' },
      h('a', { href: '#/' }, '‹ Cameras'),
      h('h2', {}, cameraLabel(camera)),
      role === 'owner' && h('a', { href: `#/sharing/${cameraPath(camera)}`, 'data-role': 'sharing-link' }, 'Sharing'),
    ),
    live.el,
    h('nav', { class: 'tabs', role: 'tablist' }, ...tabButtons),
    tabBody,
  );
  return {
    el,
    close() {
      talk.close();
      for (const t of tabs) t.panel.close();
      live.close();
    },
  };
}
