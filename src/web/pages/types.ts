/** What the caller may do (the `viewer` query). */
export interface Viewer {
  role: string;
  canIngest: boolean;
  mediaRootsConfigured: boolean;
}
