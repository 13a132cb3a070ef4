/** What a campaign run's history says about its size (as older results files recorded it): signals received and its largest payloads. */
export interface CampaignHistoryFacts {
  events: number;
  signalsReceived: number;
  inputBytes: number;
  resultBytes: number;
  manifestArgumentBytes: number;
}
