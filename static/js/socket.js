// A websocket that reconnects with back-off and asks the server to replay what it missed.

const CLOSE_CODES_FINAL = new Set([4401, 4403, 4404]);

export class ChatSocket {
  /**
   * path: "/ws/conversations/<id>/"; handlers: {onMessage, onOpen, onDown};
   * replayAfter(): the last seq seen of the running turn, or null.
   */
  constructor(path, { onMessage, onOpen, onDown, replayAfter }) {
    this.path = path;
    this.onMessage = onMessage;
    this.onOpen = onOpen;
    this.onDown = onDown;
    this.replayAfter = replayAfter;
    this.delay = 500;
    this.everOpened = false;
    this.queue = [];
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const after = this.replayAfter();
    const query = after == null ? "" : `?after=${encodeURIComponent(after)}`;
    return `${scheme}//${location.host}${this.path}${query}`;
  }

  connect() {
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 500;
      const reconnected = this.everOpened;
      this.everOpened = true;
      for (const message of this.queue.splice(0)) socket.send(JSON.stringify(message));
      this.onOpen(reconnected);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      const final = CLOSE_CODES_FINAL.has(event.code);
      this.onDown(final);
      if (final) return;
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    });
  }

  get open() {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a message now, or as soon as the socket (re)opens. */
  send(message) {
    if (this.open) this.socket.send(JSON.stringify(message));
    else this.queue.push(message);
  }
}
