import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';

/** A small region: two users, two plants that share 192.168.1.0/24 (SPEC P5). Keys are placeholders. */
export const twoPlantsState: GatewayDesiredState = {
  revision: 7,
  region: 'eu-central',
  gateway: { id: 'gw-1', name: 'eu-central-1', siteTunnelIp: '100.64.0.9' },
  servicePublicKey: 'Aq1X+EdMVhPxyg4HTHvsYEvdMhMsXotxawsvFCOsOw4=',
  serviceTunnelIp: '100.64.0.1',
  tunnelRange: '100.64.0.0/12',
  mappedSpace: '100.80.0.0/12',
  peers: [
    { publicKey: 'V4NcchRA0lZU/FocplXLH0zt9FEPAOskWBnih/OGZ18=', tunnelIp: '100.64.0.2', profileId: 'prof-alice' },
    { publicKey: '6f9j4gjLlTpDzPSBtYqKdvtJumXIrEV4JGv3J0RDAXQ=', tunnelIp: '100.64.0.3', profileId: 'prof-bob' },
  ],
  // Deliberately unsorted, with one duplicate and one non-canonical prefix.
  allowed: [
    { userIp: '100.64.0.3', mapped: '100.80.2.0/24' },
    { userIp: '100.64.0.2', mapped: '100.80.2.0/24' },
    { userIp: '100.64.0.2', mapped: '100.80.1.7/24' },
    { userIp: '100.64.0.2', mapped: '100.80.1.0/24' },
    { userIp: '100.64.0.10', mapped: '100.80.0.16/28' },
  ],
  native: [
    { userIp: '100.64.0.3', native: '192.168.1.0/24', mapped: '100.80.2.0/24' },
    { userIp: '100.64.0.2', native: '192.168.1.0/24', mapped: '100.80.1.0/24' },
    { userIp: '100.64.0.10', native: '10.1.1.16/28', mapped: '100.80.0.16/28' },
  ],
  sites: [
    {
      plantId: 'plant-a',
      plantName: 'Solarpark A',
      agentPublicKey: 'Ed7VjUhf+UlQnmYdEOk59czGqi241fWjoD/7zWErfgo=',
      agentTunnelIp: '100.64.1.1',
      translations: [
        { mapped: '100.80.1.0/24', real: '192.168.1.0/24' },
        { mapped: '100.80.0.16/28', real: '10.1.1.16/28' },
      ],
    },
    {
      plantId: 'plant-b',
      plantName: 'Windpark B',
      agentPublicKey: 'k7vQm2hFz0bq3u5cK8y2Zl1W4xT9sN6pR0dJ3aB5eCg=',
      agentTunnelIp: '100.64.1.2',
      translations: [{ mapped: '100.80.2.0/24', real: '192.168.1.0/24' }],
    },
    { plantId: 'plant-c', plantName: 'Not enrolled', agentPublicKey: null, agentTunnelIp: null, translations: [] },
  ],
};
