// Short messages after a change ("Completed “Report”") with an Undo button, in a polite live region. A new toast
// replaces the last; each disappears after a while unless the pointer or keyboard focus is on it.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export interface Toast {
  message: string;
  /** Puts the change back; the toast offers "Undo" while it is shown. */
  undo?: () => Promise<unknown> | void;
  tone?: "info" | "error";
}

const ToastContext = createContext<{ show: (toast: Toast) => void; undo: () => void }>({ show: () => undefined, undo: () => undefined });

/** Show a toast (it replaces the one shown). */
export const useToast = () => useContext(ToastContext).show;
/** Undo what the toast shown offers to undo (the `u` shortcut); nothing when it offers nothing. */
export const useUndo = () => useContext(ToastContext).undo;

const SHOWN_FOR_MS = 8000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [toast, setToast] = useState<(Toast & { id: number }) | null>(null);
  const [held, setHeld] = useState(false);
  const counter = useRef(0);
  const show = useCallback((next: Toast) => {
    counter.current += 1;
    setToast({ ...next, id: counter.current });
  }, []);

  useEffect(() => {
    if (!toast || held) return;
    const timer = setTimeout(() => setToast(null), SHOWN_FOR_MS);
    return () => clearTimeout(timer);
  }, [toast, held]);

  async function undo() {
    const action = toast?.undo;
    if (!action) return;
    setToast(null);
    setHeld(false);
    try {
      await action?.();
    } catch {
      show({ message: t("That could not be undone. Reload to see the current state."), tone: "error" });
    }
  }

  return (
    <ToastContext.Provider value={{ show, undo: () => void undo() }}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toast && (
          <div
            className={`toast ${toast.tone ?? "info"}`}
            key={toast.id}
            onMouseEnter={() => setHeld(true)}
            onMouseLeave={() => setHeld(false)}
            onFocus={() => setHeld(true)}
            onBlur={() => setHeld(false)}
          >
            <span>{toast.message}</span>
            {toast.undo && (
              <button type="button" className="small" onClick={() => void undo()}>
                {t("Undo")}
              </button>
            )}
            <button type="button" className="small icon" aria-label={t("Dismiss")} onClick={() => setToast(null)}>
              ×
            </button>
          </div>
        )}
      </div>
    </ToastContext.Provider>
  );
}
