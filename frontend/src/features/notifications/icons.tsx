// The calendar's and the notifications' line drawings, drawn as the sidebar's own icons are (app/icons.tsx).
const PATHS = {
  calendar: "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M8 13h2M12 13h2M16 13h.01M8 17h2M12 17h2",
  bell: "M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
} as const;

export function ExtraIcon({ name, size = 18 }: { name: keyof typeof PATHS; size?: number }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
