/** The Bulkrun icon: rows fanning out into one. Colours follow the theme. */
import { LabIcon } from '@jupyterlab/ui-components';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<rect x="2" y="3" width="8" height="4" rx="1"/><rect x="2" y="10" width="8" height="4" rx="1"/><rect x="2" y="17" width="8" height="4" rx="1"/>
<path d="M11 5h3l4 6h4v2h-4l-4 6h-3v-2h2l3.4-5L13 7h-2z"/>
</g></svg>`;

export const bulkrunIcon = new LabIcon({ name: 'jupyterlab-bulkrun:icon', svgstr: svg });
