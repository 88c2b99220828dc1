// The bell in the top bar: how many notifications are unread (asked every minute and when the window regains focus),
// and, opened, the latest of them. Opening one marks it read and opens its task; "Mark all read" clears the count.
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { keys } from "../../app/queries";
import { ErrorNote, Loading } from "../../components/common";
import { localeOf } from "../../lib/locale";
import { notificationsApi, type AppNotification, type NotificationPage } from "./api";
import { ExtraIcon } from "./icons";
import "./notifications.css";

const POLL_MS = 60_000;

/** "5 minutes ago", "yesterday", "3 days ago" in the app's language. */
export function relativeTime(iso: string, language: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(localeOf(language), { numeric: "auto" });
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, "second"],
    [3600, "minute"],
    [86_400, "hour"],
    [604_800, "day"],
    [2_629_800, "week"],
    [31_557_600, "month"],
  ];
  const size = Math.abs(seconds);
  if (size < 45) return format.format(0, "second");
  let unit: Intl.RelativeTimeFormatUnit = "year";
  let divisor = 31_557_600;
  for (const [limit, name] of steps) {
    if (size < limit) {
      unit = name;
      break;
    }
    divisor = limit;
  }
  if (unit === "second") divisor = 1;
  return format.format(Math.round(seconds / divisor), unit);
}

export function NotificationBell() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const summary = useQuery({
    queryKey: keys.notificationSummary,
    queryFn: () => notificationsApi().summary(),
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
  });
  const unread = summary.data?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    // Esc or a click elsewhere closes it; Esc gives the focus back to the bell.
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    }
    function onPointerDown(event: PointerEvent) {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    }
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [open]);

  const label = unread > 0 ? t("Notifications, {{count}} unread", { count: unread }) : t("Notifications");
  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="icon-button bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => {
          setOpen(!open);
          if (!open) void queryClient.invalidateQueries({ queryKey: keys.notificationSummary });
        }}
      >
        <ExtraIcon name="bell" size={20} />
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div ref={panel} id={panelId} className="bell-panel" role="region" aria-label={t("Notifications")}>
          <NotificationList unread={unread} onDone={() => setOpen(false)} />
        </div>
      )}
    </div>
  );
}

function NotificationList(props: { unread: number; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const location = useLocation();
  const [error, setError] = useState<unknown>(null);
  // The newest page first; "Show older" fetches the next.
  const list = useInfiniteQuery<NotificationPage, Error, InfiniteData<NotificationPage>, typeof keys.notificationList, string | null>({
    queryKey: keys.notificationList,
    queryFn: ({ pageParam }) => notificationsApi().list(pageParam),
    initialPageParam: null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: keys.notificationSummary });
    void queryClient.invalidateQueries({ queryKey: keys.notificationList });
  };
  /** Marked read in the cache at once, then on the server. */
  const markLocally = (read: (n: AppNotification) => boolean) =>
    queryClient.setQueryData<InfiniteData<NotificationPage>>(keys.notificationList, (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              results: page.results.map((n) => (read(n) && !n.read_at ? { ...n, read_at: new Date().toISOString() } : n)),
            })),
          }
        : data,
    );

  async function markAll() {
    setError(null);
    markLocally(() => true);
    queryClient.setQueryData(keys.notificationSummary, { unread: 0 });
    try {
      await notificationsApi().markAllRead();
    } catch (caught) {
      setError(caught);
    }
    changed();
  }

  function read(notification: AppNotification) {
    props.onDone();
    if (notification.read_at) return;
    markLocally((n) => n.id === notification.id);
    queryClient.setQueryData<{ unread: number }>(keys.notificationSummary, (s) => (s ? { unread: Math.max(0, s.unread - 1) } : s));
    notificationsApi().markRead([notification.id]).catch(setError).finally(changed);
  }
  // A task opens beside the page it was opened from (that page's own background when a task is open already).
  const background = (location.state as { background?: unknown } | null)?.background ?? location;

  const items = list.data?.pages.flatMap((page) => page.results) ?? [];
  return (
    <>
      <div className="bell-head">
        <h2>{t("Notifications")}</h2>
        <button
          type="button"
          className="small"
          onClick={() => void markAll()}
          disabled={props.unread === 0 && items.every((n) => n.read_at)}
        >
          {t("Mark all read")}
        </button>
      </div>
      <ErrorNote error={list.error ?? error} />
      {list.isPending && <Loading what={t("notifications")} />}
      {list.isSuccess && items.length === 0 && <p className="empty">{t("No notifications yet.")}</p>}
      {items.length > 0 && (
        <ul className="plain bell-items">
          {items.map((notification) => (
            <li key={notification.id} className={notification.read_at ? "bell-item" : "bell-item unread"}>
              <NotificationItem notification={notification} background={background} onOpen={() => read(notification)} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" className="small bell-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t("Show older")}
        </button>
      )}
      <Link className="bell-settings" to="/settings/notifications" onClick={props.onDone}>
        {t("Notification settings")}
      </Link>
    </>
  );
}

function NotificationItem(props: { notification: AppNotification; background: unknown; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const { notification } = props;
  const target =
    notification.task !== null ? `/tasks/${notification.task}` : notification.project !== null ? `/projects/${notification.project}` : null;
  const content = (
    <>
      {!notification.read_at && <span className="visually-hidden">{t("Unread:")} </span>}
      <span className="bell-text">{notification.text}</span>
      <time className="bell-time" dateTime={notification.created_at}>
        {relativeTime(notification.created_at, i18n.language)}
      </time>
    </>
  );
  if (!target)
    return (
      <button type="button" className="bell-open" onClick={props.onOpen}>
        {content}
      </button>
    );
  return (
    <Link
      className="bell-open"
      to={target}
      state={notification.task !== null ? { background: props.background } : undefined}
      onClick={props.onOpen}
    >
      {content}
    </Link>
  );
}
