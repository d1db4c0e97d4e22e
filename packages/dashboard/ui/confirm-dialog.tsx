// Every action waits behind one of these: it says what will happen and does it only on "Confirm".
import type { ReactNode } from "react";

export interface ConfirmProps {
  readonly title: string;
  readonly children?: ReactNode;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog({ title, children, onConfirm, onCancel }: ConfirmProps) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={title}>
      <div className="dialog">
        <h3>{title}</h3>
        {children}
        <div className="buttons">
          <button type="button" onClick={onCancel}>
            Back
          </button>
          <button type="button" className="danger" data-testid="confirm" onClick={onConfirm}>
            Confirm
          </button>
        </div>
      </div>
    </div>
  );
}
