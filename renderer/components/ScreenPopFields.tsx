import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CrmScreenPop, crmScreenPopSchema } from '../../protocol/index.js';

/**
 * Settings (desktop): the CRM screen pop's URL template and when it opens. The template is saved
 * on blur and only when the setting's own schema accepts it (https or empty), so a half-typed
 * URL never reaches main; an IT policy locks both fields.
 */
export function ScreenPopFields(props: {
  value: CrmScreenPop;
  locked: boolean;
  onSave: (value: CrmScreenPop) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(props.value.template);
  useEffect(() => {
    setText(props.value.template);
  }, [props.value.template]);
  const valid = crmScreenPopSchema.shape.template.safeParse(text.trim()).success;
  return (
    <>
      <label htmlFor="set-crm-template">{t('settings.crmTemplate')}</label>
      <input
        id="set-crm-template"
        type="url"
        value={text}
        placeholder="https://crm.example.com/lookup?caller={caller}&queue={queue}&call={callId}"
        maxLength={2048}
        disabled={props.locked}
        aria-invalid={!valid}
        aria-describedby="set-crm-hint"
        onChange={(e) => {
          setText(e.target.value);
        }}
        onBlur={() => {
          const template = text.trim();
          if (valid && template !== props.value.template)
            props.onSave({ ...props.value, template });
        }}
      />
      <p id="set-crm-hint" className={valid ? 'hint' : 'error'}>
        {t(valid ? 'settings.crmHint' : 'settings.crmInvalid')}
      </p>
      <label htmlFor="set-crm-when">{t('settings.crmWhen')}</label>
      <select
        id="set-crm-when"
        value={props.value.when}
        disabled={props.locked}
        onChange={(e) => {
          const when = crmScreenPopSchema.shape.when.safeParse(e.target.value);
          if (when.success) props.onSave({ ...props.value, when: when.data });
        }}
      >
        <option value="ringing">{t('settings.crmWhenRinging')}</option>
        <option value="answered">{t('settings.crmWhenAnswered')}</option>
      </select>
    </>
  );
}
