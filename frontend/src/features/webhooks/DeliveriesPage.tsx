// One webhook's deliveries (/settings/webhooks/:id), newest first: each event TMS sent or is still sending, how it
// went (the last status code or error), its body, and Redeliver to send it again. Pages with "Load more"; while a
// delivery is pending the page asks again every few seconds.
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import type { Page } from "../../api/types";
import { useToast } from "../../app/toast";
import { useWorkspace } from "../../app/workspace";
import { ErrorNote, isGone, Loading, messageOf } from "../../components/common";
import { translatable } from "../../i18n";
import { formatDateTime } from "../../lib/dates";
import { webhookKeys, webhooksApi, type Delivery, type DeliveryState } from "./api";
import "./webhooks.css";

const STATES: Record<DeliveryState, string> = {
  pending: translatable("pending"),
  succeeded: translatable("succeeded"),
  failed: translatable("failed"),
};
/** How often a page with a pending delivery asks again. */
const PENDING_POLL_MS = 3000;

export function DeliveriesPage() {
  const { t } = useTranslation();
  const params = useParams();
  const id = Number(params.id);
  const queryClient = useQueryClient();
  const toast = useToast();
  const hook = useQuery({ queryKey: webhookKeys.one(id), queryFn: () => webhooksApi().get(id), enabled: Number.isInteger(id) && id > 0 });
  const deliveries = useInfiniteQuery<Page<Delivery>, Error, { pages: Page<Delivery>[] }, readonly unknown[], string | null>({
    queryKey: webhookKeys.deliveries(id),
    queryFn: ({ pageParam }) => webhooksApi().deliveries(id, pageParam),
    initialPageParam: null,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled: hook.isSuccess,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.results.some((delivery) => delivery.state === "pending")) ? PENDING_POLL_MS : false,
  });
  const [busy, setBusy] = useState<number | null>(null);
  const shown = deliveries.data?.pages.flatMap((page) => page.results) ?? [];

  async function redeliver(delivery: Delivery) {
    setBusy(delivery.id);
    try {
      await webhooksApi().redeliver(id, delivery);
      toast({ message: t("The delivery is sent again.") });
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      setBusy(null);
      void queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(id) });
    }
  }

  const back = (
    <Link to="/settings/webhooks" className="webhook-back">
      {t("← All webhooks")}
    </Link>
  );
  if (!Number.isInteger(id) || id <= 0 || isGone(hook.error)) {
    return (
      <section className="page settings" aria-labelledby="deliveries-title">
        {back}
        <h1 id="deliveries-title">{t("Deliveries")}</h1>
        <p role="alert" className="error">
          {t("There is no such webhook, or it was deleted.")}
        </p>
      </section>
    );
  }
  return (
    <section className="page settings deliveries-page" aria-labelledby="deliveries-title">
      {back}
      <div className="page-head">
        <h1 id="deliveries-title">{t("Deliveries")}</h1>
        <button type="button" className="secondary" disabled={deliveries.isFetching} onClick={() => void deliveries.refetch()}>
          {t("Refresh")}
        </button>
      </div>
      {hook.data && (
        <p className="webhook-subtitle">
          <code className="webhook-url">{hook.data.url}</code>
          {!hook.data.is_active && <span className="badge webhook-off">{t("Disabled")}</span>}
        </p>
      )}
      <ErrorNote error={hook.error ?? deliveries.error} />
      {(hook.isPending || deliveries.isPending) && !hook.error && <Loading what={t("the deliveries")} />}
      {deliveries.data && shown.length === 0 && <p className="empty">{t("Nothing was sent to this webhook yet.")}</p>}
      {shown.length > 0 && (
        <ul className="plain delivery-list" aria-label={t("Deliveries")}>
          {shown.map((delivery) => (
            <li key={delivery.id}>
              <DeliveryItem delivery={delivery} busy={busy === delivery.id} onRedeliver={() => void redeliver(delivery)} />
            </li>
          ))}
        </ul>
      )}
      {deliveries.hasNextPage && (
        <button
          type="button"
          className="secondary load-more"
          disabled={deliveries.isFetchingNextPage}
          onClick={() => void deliveries.fetchNextPage()}
        >
          {t("Load more")}
        </button>
      )}
    </section>
  );
}

function DeliveryItem(props: { delivery: Delivery; busy: boolean; onRedeliver: () => void }) {
  const { t, i18n } = useTranslation();
  const { user } = useWorkspace();
  const { delivery } = props;
  const when = (iso: string) => formatDateTime(iso, i18n.language, user.time_zone);
  const outcome =
    delivery.last_status_code !== null
      ? t("Last answer: HTTP {{code}}", { code: delivery.last_status_code })
      : delivery.last_error
        ? t("Last error: {{error}}", { error: delivery.last_error })
        : null;
  return (
    <article className={`delivery delivery-${delivery.state}`} aria-label={`${delivery.event} ${when(delivery.created_at)}`}>
      <div className="delivery-head">
        <span className={`badge delivery-state state-${delivery.state}`}>{t(STATES[delivery.state])}</span>
        <code className="delivery-event">{delivery.event}</code>
        <time dateTime={delivery.created_at} className="muted">
          {when(delivery.created_at)}
        </time>
        <button type="button" className="small" disabled={props.busy || delivery.state === "pending"} onClick={props.onRedeliver}>
          {t("Redeliver")}
        </button>
      </div>
      <p className="delivery-meta muted">
        {t("Attempts: {{n}}", { n: delivery.attempts })}
        {outcome && <> · {outcome}</>}
        {delivery.last_status_code !== null && delivery.last_error && <> · {delivery.last_error}</>}
        {delivery.state === "pending" && delivery.next_attempt_at && (
          <> · {t("Next attempt {{when}}", { when: when(delivery.next_attempt_at) })}</>
        )}
      </p>
      <details className="delivery-payload">
        <summary>{t("Payload")}</summary>
        <pre>{JSON.stringify(delivery.payload, null, 2)}</pre>
      </details>
    </article>
  );
}
