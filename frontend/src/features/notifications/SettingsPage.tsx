// Settings → Notifications (/settings/notifications): which notifications come by e-mail and by push, push on this
// device, and the calendar feed (a private address a calendar app subscribes to; shown once when made).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { keys } from "../../app/queries";
import { useWorkspace } from "../../app/workspace";
import { ErrorNote, Loading } from "../../components/common";
import { formatDateTime } from "../../lib/dates";
import { translatable } from "../../i18n";
import { notificationsApi, type NewFeed, type NotificationSettings } from "./api";
import { disablePush, enablePush, PushError, pushState, type PushState } from "./push";
import "./notifications.css";

const CHANNELS: [keyof NotificationSettings, string][] = [
  ["email_reminders", translatable("Reminders by e-mail")],
  ["push_reminders", translatable("Reminders as push notifications")],
  ["email_activity", translatable("Activity by e-mail (assigned to you, comments, shared projects)")],
  ["push_activity", translatable("Activity as push notifications (assigned to you, comments, shared projects)")],
];

export function NotificationSettingsPage() {
  const { t } = useTranslation();
  return (
    <section className="page settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("Notifications")}</h1>
      <Channels />
      <PushOnDevice />
      <CalendarFeed />
    </section>
  );
}

function Channels() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: keys.notificationSettings, queryFn: () => notificationsApi().settings() });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function toggle(name: keyof NotificationSettings, value: boolean) {
    const before = settings.data;
    setError(null);
    setSaved(false);
    // Shown at once; put back if the server refuses.
    queryClient.setQueryData<NotificationSettings>(keys.notificationSettings, (data) => (data ? { ...data, [name]: value } : data));
    try {
      const answer = await notificationsApi().updateSettings({ [name]: value });
      queryClient.setQueryData(keys.notificationSettings, answer);
      setSaved(true);
    } catch (caught) {
      queryClient.setQueryData(keys.notificationSettings, before);
      setError(caught);
    }
  }

  return (
    <section className="panel" aria-labelledby="channels-title">
      <h2 id="channels-title">{t("What to send")}</h2>
      <ErrorNote error={settings.error ?? error} />
      {settings.isPending && <Loading what={t("the settings")} />}
      {settings.data && (
        <fieldset className="settings-toggles">
          <legend>{t("Send me")}</legend>
          {CHANNELS.map(([name, label]) => (
            <label key={name} className="check">
              <input type="checkbox" checked={settings.data[name]} onChange={(e) => void toggle(name, e.target.checked)} />
              {t(label)}
            </label>
          ))}
        </fieldset>
      )}
      <p role="status" className="muted settings-status">
        {saved ? t("Saved.") : ""}
      </p>
    </section>
  );
}

function PushOnDevice() {
  const { t } = useTranslation();
  const config = useQuery({ queryKey: keys.push, queryFn: () => notificationsApi().push() });
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    pushState().then(
      (found) => live && setState(found),
      () => live && setState("off"),
    );
    return () => {
      live = false;
    };
  }, []);

  async function run(action: () => Promise<void>, after: PushState) {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      await action();
      setState(after);
    } catch (caught) {
      if (caught instanceof PushError && caught.reason === "denied") {
        setState(await pushState().catch(() => "off" as const));
        setNote(t("This browser did not allow notifications. Allow them in its site settings, then try again."));
      } else if (caught instanceof PushError) {
        setNote(t("The app is still being installed in this browser. Reload the page and try again."));
      } else if (!(caught instanceof ApiError)) {
        setNote(t("This browser could not set up push notifications."));
      } else setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const publicKey = config.data?.public_key ?? null;
  return (
    <section className="panel" aria-labelledby="push-title">
      <h2 id="push-title">{t("Push on this device")}</h2>
      <ErrorNote error={config.error ?? error} />
      {(config.isPending || state === null) && !config.error && <Loading what={t("push notifications")} />}
      {config.data && state !== null && (
        <>
          {!config.data.enabled || !publicKey ? (
            <p className="muted">{t("Push notifications are not set up on this server.")}</p>
          ) : state === "unsupported" ? (
            <p className="muted">{t("This browser cannot receive push notifications.")}</p>
          ) : state === "denied" ? (
            <p className="muted">{t("This browser blocks notifications from TMS. Allow them in its site settings to turn push on.")}</p>
          ) : state === "on" ? (
            <div className="actions">
              <p className="settings-state">{t("Push notifications are on for this device.")}</p>
              <button type="button" className="secondary" disabled={busy} onClick={() => void run(disablePush, "off")}>
                {t("Disable push on this device")}
              </button>
            </div>
          ) : (
            <div className="actions">
              <p className="settings-state">{t("Push notifications are off for this device.")}</p>
              <button type="button" disabled={busy} onClick={() => void run(() => enablePush(publicKey), "on")}>
                {t("Enable push on this device")}
              </button>
            </div>
          )}
        </>
      )}
      {note && (
        <p role="alert" className="error">
          {note}
        </p>
      )}
    </section>
  );
}

function CalendarFeed() {
  const { t, i18n } = useTranslation();
  const { user } = useWorkspace();
  const queryClient = useQueryClient();
  const feed = useQuery({ queryKey: keys.calendarFeed, queryFn: () => notificationsApi().feed() });
  const [made, setMade] = useState<NewFeed | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const when = (iso: string | null) => (iso ? formatDateTime(iso, i18n.language, user.time_zone) : null);

  async function act(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: keys.calendarFeed });
    }
  }
  const create = () => act(async () => setMade(await notificationsApi().createFeed()));
  const revoke = () =>
    act(async () => {
      await notificationsApi().revokeFeed();
      setMade(null);
    });
  async function copy(url: string) {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
      document.getElementById("feed-url")?.focus();
    }
  }

  const active = feed.data?.active ?? false;
  return (
    <section className="panel" aria-labelledby="feed-title">
      <h2 id="feed-title">{t("Calendar feed")}</h2>
      <p className="muted">
        {t(
          "A private address your calendar app can subscribe to: it shows your tasks with a due date. Anyone who has the address can read them.",
        )}
      </p>
      <ErrorNote error={feed.error ?? error} />
      {feed.isPending && <Loading what={t("the calendar feed")} />}
      {made && (
        <div className="feed-made">
          <label htmlFor="feed-url">{t("Your feed address (shown only now: copy it)")}</label>
          <div className="row">
            <input id="feed-url" readOnly value={made.url} onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => void copy(made.url)}>
              {t("Copy")}
            </button>
          </div>
          <p role="status" className="muted">
            {copied ? t("Copied.") : ""}
          </p>
        </div>
      )}
      {feed.data && (
        <>
          {active ? (
            <p className="settings-state">
              {t("A feed address is active, made {{made}}.", { made: when(feed.data.created_at) ?? "—" })}{" "}
              {feed.data.last_used_at
                ? t("Last read by a calendar {{used}}.", { used: when(feed.data.last_used_at) })
                : t("No calendar has read it yet.")}
            </p>
          ) : (
            <p className="settings-state">{t("No feed address is active.")}</p>
          )}
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void create()}>
              {active ? t("Create a new feed URL (the old one stops working)") : t("Create feed URL")}
            </button>
            {active && !confirming && (
              <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
                {t("Revoke")}
              </button>
            )}
          </div>
          {active && confirming && (
            <div className="confirm" role="group" aria-label={t("Revoke the feed address?")}>
              <span>{t("Calendars subscribed to this address stop getting your tasks.")}</span>
              <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>
                {t("Revoke the feed address")}
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                {t("Cancel")}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
