import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { SessionGate } from './session/SessionGate.tsx';
import { readPageConfig } from './theme/page-config.ts';
import { applyStoredTheme } from './theme/useTheme.ts';
import './theme/theme.css';
import './theme/components.css';

applyStoredTheme();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <SessionGate>
      <App config={readPageConfig()} />
    </SessionGate>
  </StrictMode>,
);
