// Settings → Security (/settings/security): two-factor sign-in (turn on with an authenticator app, the recovery
// codes shown once, turn off, new recovery codes), and the way to access tokens and webhooks.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useWorkspace } from "../../app/workspace";
import { ErrorNote, Loading } from "../../components/common";
import { formatDateTime } from "../../lib/dates";
import { securityApi, twoFactorKey, type Enrolment } from "./api";
import { EnrolmentSteps } from "./EnrolmentSteps";
import { PasswordAndCodeDialog } from "./PasswordAndCodeDialog";
import { RecoveryCodeList } from "./RecoveryCodeList";
import "./security.css";

/** At or under this many recovery codes left, the page says to make new ones. */
export const FEW_CODES_LEFT = 3;

export function SecurityPage() {
  const { t } = useTranslation();
  return (
    <section className="page settings security" aria-labelledby="security-title">
      <h1 id="security-title">{t("Security")}</h1>
      <TwoFactor />
      <section className="panel" aria-labelledby="access-title">
        <h2 id="access-title">{t("Access for other programs")}</h2>
        <ul className="plain security-links">
          <li>
            <Link to="/settings/tokens">{t("Access tokens")}</Link>
            <span className="muted"> — {t("for scripts and other programs that use the TMS API")}</span>
          </li>
          <li>
            <Link to="/settings/webhooks">{t("Webhooks")}</Link>
            <span className="muted"> — {t("TMS tells another service when your tasks change")}</span>
          </li>
        </ul>
      </section>
    </section>
  );
}

function TwoFactor() {
  const { t, i18n } = useTranslation();
  const { user } = useWorkspace();
  const queryClient = useQueryClient();
  const state = useQuery({ queryKey: twoFactorKey, queryFn: () => securityApi().state() });
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [asking, setAsking] = useState<"disable" | "renew" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const reload = () => queryClient.invalidateQueries({ queryKey: twoFactorKey });

  async function start() {
    setBusy(true);
    setError(null);
    setNote("");
    try {
      setEnrolment(await securityApi().start());
    } catch (caught) {
      setError(caught);
      void reload(); // 409 already_enabled: another tab turned it on
    } finally {
      setBusy(false);
    }
  }

  async function disable(password: string, code: string) {
    await securityApi().disable(password, code);
    setAsking(null);
    setNote(t("Two-factor sign-in is off. Signing in asks only for your password."));
    await reload();
  }

  async function renew(password: string, code: string) {
    const answer = await securityApi().renewRecoveryCodes(password, code);
    setAsking(null);
    setNote("");
    setCodes(answer.recovery_codes);
    await reload();
  }

  const data = state.data;
  const left = data?.recovery_codes_left ?? 0;
  return (
    <section className="panel" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">{t("Two-factor sign-in")}</h2>
      <p className="muted">
        {t("With two-factor sign-in, signing in asks for your password and a code from an authenticator app on your phone.")}
      </p>
      <ErrorNote error={state.error ?? error} />
      {state.isPending && <Loading what={t("two-factor sign-in")} />}
      {codes ? (
        <RecoveryCodeList
          codes={codes}
          onDone={() => {
            setCodes(null);
            setNote(t("From now on, signing in asks for a code from the app after your password."));
          }}
        />
      ) : enrolment ? (
        <EnrolmentSteps
          enrolment={enrolment}
          onConfirmed={(confirmed) => {
            setEnrolment(null);
            setCodes(confirmed);
            void reload();
          }}
          onCancel={() => setEnrolment(null)}
        />
      ) : data?.enabled ? (
        <>
          <p className="settings-state">
            <strong>{t("Two-factor sign-in is on.")}</strong>{" "}
            {data.confirmed_at && t("Turned on {{when}}.", { when: formatDateTime(data.confirmed_at, i18n.language, user.time_zone) })}
          </p>
          <p className={left <= FEW_CODES_LEFT ? "codes-left few" : "codes-left"}>
            {t("{{count}} recovery codes left.", { count: left })}
            {left <= FEW_CODES_LEFT && (
              <> {t("Make new ones before they run out: without the app or a recovery code, you cannot sign in.")}</>
            )}
          </p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setAsking("renew")}>
              {t("New recovery codes")}
            </button>
            <button type="button" className="danger" onClick={() => setAsking("disable")}>
              {t("Turn off")}
            </button>
          </div>
        </>
      ) : (
        data && (
          <div className="actions">
            <p className="settings-state">{t("Two-factor sign-in is off.")}</p>
            <button type="button" disabled={busy} onClick={() => void start()}>
              {t("Turn on two-factor sign-in")}
            </button>
          </div>
        )
      )}
      <p role="status" className="muted settings-status">
        {note}
      </p>
      {asking === "disable" && (
        <PasswordAndCodeDialog
          title={t("Turn off two-factor sign-in?")}
          description={t("Signing in will ask only for your password. Your recovery codes stop working.")}
          submit={t("Turn off")}
          danger
          onSubmit={disable}
          onClose={() => setAsking(null)}
        />
      )}
      {asking === "renew" && (
        <PasswordAndCodeDialog
          title={t("Make new recovery codes?")}
          description={t("You get ten new codes; the ones you have now stop working.")}
          submit={t("Make new codes")}
          onSubmit={renew}
          onClose={() => setAsking(null)}
        />
      )}
    </section>
  );
}
