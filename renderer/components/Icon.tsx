/**
 * Small inline SVG icons: no icon font, no emoji (many desktops lack an emoji font), nothing the
 * CSP has to allow. Decorative: the button around them carries the accessible name.
 */
const PATHS = {
  phone:
    'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
  video:
    'M3 6.5A1.5 1.5 0 0 1 4.5 5h10A1.5 1.5 0 0 1 16 6.5v2.3l4.2-2.6a.5.5 0 0 1 .8.4v10.8a.5.5 0 0 1-.8.4L16 15.2v2.3a1.5 1.5 0 0 1-1.5 1.5h-10A1.5 1.5 0 0 1 3 17.5z',
  star: 'M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5L2.5 9.4l6.6-.9z',
  outgoing: 'M7 17L17 7M9 7h8v8',
  incoming: 'M17 7L7 17M15 17H7V9',
  missed: 'M6 6l12 12M18 6L6 18',
} as const;

export type IconName = keyof typeof PATHS;
const STROKED: ReadonlySet<IconName> = new Set(['outgoing', 'incoming', 'missed']);

export function Icon({ name, filled = true }: { name: IconName; filled?: boolean }) {
  const stroked = STROKED.has(name) || !filled;
  return (
    <svg
      className="icon"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      aria-hidden="true"
      focusable="false"
      fill={stroked ? 'none' : 'currentColor'}
      stroke={stroked ? 'currentColor' : 'none'}
      strokeWidth={stroked ? 2 : 0}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
