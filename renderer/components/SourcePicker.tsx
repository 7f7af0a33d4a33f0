import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SourcePickRequest } from '../../protocol/index.js';
import { desktopSourcePicker } from '../app/desktop-shell.js';

/**
 * The desktop app's screen-share picker: main pushes the screens and windows (thumbnails from
 * desktopCapturer) when the call view asks for getDisplayMedia, the user picks one or cancels,
 * and the answer goes back with the request's id (main shares only what it offered).
 */
export function SourcePickerDialog(props: {
  request: SourcePickRequest;
  onChoose: (sourceId: string | null) => void;
}) {
  const { t } = useTranslation();
  const groups = (['screen', 'window'] as const)
    .map((kind) => ({ kind, sources: props.request.sources.filter((s) => s.kind === kind) }))
    .filter((g) => g.sources.length > 0);
  return (
    <div className="modal-backdrop">
      <section
        role="dialog"
        aria-modal="true"
        aria-labelledby="source-picker-title"
        className="source-picker"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onChoose(null);
        }}
      >
        <h2 id="source-picker-title">{t('sourcePicker.title')}</h2>
        {groups.map((group) => (
          <fieldset key={group.kind}>
            <legend>{t(`sourcePicker.${group.kind}s`)}</legend>
            <ul className="source-grid">
              {group.sources.map((source) => (
                <li key={source.id}>
                  <button
                    type="button"
                    onClick={() => {
                      props.onChoose(source.id);
                    }}
                  >
                    <img src={source.thumbnail} alt="" width={160} height={90} />
                    <span>{source.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          </fieldset>
        ))}
        <button
          type="button"
          onClick={() => {
            props.onChoose(null);
          }}
        >
          {t('sourcePicker.cancel')}
        </button>
      </section>
    </div>
  );
}

/** Mounted once in the main window: shows the open pick, if any (a newer one replaces it). */
export function SourcePicker() {
  const [request, setRequest] = useState<SourcePickRequest>();
  useEffect(() => desktopSourcePicker()?.onPickSource(setRequest), []);
  if (!request) return null;
  return (
    <SourcePickerDialog
      request={request}
      onChoose={(sourceId) => {
        setRequest(undefined);
        void desktopSourcePicker()
          ?.chooseSource(request.requestId, sourceId)
          .catch(() => undefined); // main cancels an unanswered pick by itself
      }}
    />
  );
}
