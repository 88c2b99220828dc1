// The sidebar's icons: small line drawings in the text colour (no icon font, no emoji that a system may lack).
const PATHS = {
  inbox: "M3 13h5l1.5 3h5L16 13h5M5 5h14l2 8v6H3v-6z",
  today: "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M9 15h3v3H9z",
  upcoming: "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M8 14h8M8 17h5",
  assigned: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c1-4 4-6 8-6s7 2 8 6",
  all: "M8 6h13M8 12h13M8 18h13M3 6h1M3 12h1M3 18h1",
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13",
  labels: "M3 12V4h8l10 10-8 8zM7.5 8.5h.01",
  stats: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  account:
    "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .3-1.5-1.5.3-2-3-1-1 2h-2l-1-2-3 1 .3 2L6 7.3 4 7 3 10l2 1v2l-2 1 1 3 2-.3 1.5 1.5-.3 2 3 1 1-2h2l1 2 3-1-.3-2 1.5-1.5 2 .3 1-3-2-1z",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
