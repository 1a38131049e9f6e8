// Entry point of the Carillon administration console.
import '@cloudscape-design/global-styles/index.css';
import { I18nProvider } from '@cloudscape-design/components/i18n';
import englishMessages from '@cloudscape-design/components/i18n/messages/all.en';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './app';
import { FlashProvider } from './components/flash';
import { CONSOLE_BASE } from './components/router-link';
import { SessionProvider } from './session';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider locale="en" messages={[englishMessages]}>
      <BrowserRouter basename={CONSOLE_BASE} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <SessionProvider>
          <FlashProvider>
            <App />
          </FlashProvider>
        </SessionProvider>
      </BrowserRouter>
    </I18nProvider>
  </StrictMode>,
);
