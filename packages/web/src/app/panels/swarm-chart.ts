/**
 * A small live line chart on a <canvas>, no chart library: one lane per series (P2P share, peers,
 * bitrate), each scaled to its own range, newest sample on the right. Redrawn on every sample and on
 * resize (the canvas follows its CSS width and the screen's pixel ratio, so it stays sharp on phones).
 */
import { h } from '../dom.js';

export interface ChartSeries {
  key: string;
  label: string;
  colour: string;
  /** fixed top of the scale (e.g. 100 for a percentage); otherwise the lane's maximum */
  max?: number;
  format: (v: number) => string;
}

export interface SwarmChart {
  el: HTMLElement;
  push(sample: Record<string, number>): void;
  close(): void;
}

const LANE_PX = 56;
const GAP_PX = 8;

export function swarmChart(series: ChartSeries[], capacity = 120): SwarmChart {
  const canvas = h('canvas', { class: 'chart', 'data-role': 'room-chart', role: 'img' });
  canvas.style.height = `${series.length * (LANE_PX + GAP_PX)}px`;
  const legend = h(
    'div',
    { class: 'chart-legend' },
    ...series.map((s) => {
      const value = h('span', { class: 'value', 'data-series': s.key }, '–');
      const item = h('span', { class: 'legend-item' }, h('i', { class: 'swatch' }), `${s.label}: `, value);
      (item.firstChild as HTMLElement).style.background = s.colour;
      return item;
    }),
  );
  const el = h('div', { class: 'chart-box' }, legend, canvas);
  const samples: Record<string, number>[] = [];

  function draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth || 320;
    const cssH = series.length * (LANE_PX + GAP_PX);
    if (canvas.width !== Math.round(cssW * ratio)) canvas.width = Math.round(cssW * ratio);
    if (canvas.height !== Math.round(cssH * ratio)) canvas.height = Math.round(cssH * ratio);
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const text = getComputedStyle(canvas).color || '#888';
    g.font = '11px system-ui, sans-serif';
    const step = cssW / Math.max(1, capacity - 1);
    series.forEach((s, lane) => {
      const top = lane * (LANE_PX + GAP_PX) + GAP_PX / 2;
      const values = samples.map((x) => x[s.key] ?? 0);
      const max = s.max ?? Math.max(1, ...values) * 1.15;
      g.globalAlpha = 0.15;
      g.fillStyle = text;
      g.fillRect(0, top + LANE_PX, cssW, 1);
      g.globalAlpha = 0.6;
      g.fillText(`${s.label} (max ${s.format(max)})`, 4, top + 11);
      g.globalAlpha = 1;
      if (values.length < 1) return;
      g.strokeStyle = s.colour;
      g.lineWidth = 2;
      g.beginPath();
      const x0 = cssW - (values.length - 1) * step;
      values.forEach((v, i) => {
        const x = x0 + i * step;
        const y = top + LANE_PX - (Math.min(v, max) / max) * (LANE_PX - 14);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      g.stroke();
    });
    canvas.setAttribute(
      'aria-label',
      series.map((s) => `${s.label} ${s.format(samples.at(-1)?.[s.key] ?? 0)}`).join(', '),
    );
  }

  const onResize = () => draw();
  window.addEventListener('resize', onResize);
  requestAnimationFrame(draw);
  return {
    el,
    push(sample) {
      samples.push(sample);
      if (samples.length > capacity) samples.shift();
      for (const s of series) {
        const v = legend.querySelector<HTMLElement>(`[data-series="${s.key}"]`);
        if (v) v.textContent = s.format(sample[s.key] ?? 0);
      }
      draw();
    },
    close() {
      window.removeEventListener('resize', onResize);
    },
  };
}
