// The signed-in member, shared by every page of the app (chat, annotation, analytics) through
// sessionStorage: one tab, one session.

const SESSION_KEY = "careerpilot.session";

export function loadSession() {
  try {
    const session = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) ?? "null");
    return session?.token ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  try {
    if (session) window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else window.sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage unavailable (private mode): the session lasts as long as the page
  }
}
