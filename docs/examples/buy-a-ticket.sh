#!/usr/bin/env bash
# From sign-in to a ticket against a running TicketFlow (default: the embedded `dotnet run --project WebFront`):
# register (or log in), hold 2 seats of a demo event, pay with the simulated card, print the ticket codes.
# Every step fails loudly: any 4xx/5xx stops it with the problem details the API answered.
set -euo pipefail
BASE=${BASE:-http://localhost:5080}
EMAIL=${EMAIL:-me@example.com}
PASSWORD=${PASSWORD:-correct-horse-battery-1}
EVENT=${EVENT:-evt_demo_002}   # on sale in the demo catalog; evt_demo_001 is high-demand (waiting room first)
TIER=${TIER:-${EVENT}-t1}
# A call that answers 4xx/5xx stops the script with the answer's problem details on stderr.
api() { local out; out=$(curl -sS --fail-with-body -H 'content-type: application/json' "$@") || { echo "$out" >&2; return 1; }; echo "$out"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; } # the first string field of that name in a JSON answer

# Register; an existing account answers 409, which is fine: log in either way.
curl -sS -o /dev/null -w 'register: %{http_code}\n' -H 'content-type: application/json' -X POST "$BASE/api/v1/auth/register" \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"name\":\"Me\"}"
LOGIN=$(api -X POST "$BASE/api/v1/auth/login" -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
TOKEN=$(echo "$LOGIN" | field accessToken)
[ -n "$TOKEN" ] || { echo "login gave no accessToken" >&2; exit 1; }
AUTH=(-H "authorization: Bearer $TOKEN")

HOLD=$(api "${AUTH[@]}" -H "idempotency-key: hold-$RANDOM$RANDOM" -X POST "$BASE/api/v1/holds" \
  -d "{\"eventId\":\"$EVENT\",\"items\":[{\"tierId\":\"$TIER\",\"quantity\":2}]}")
HOLD_ID=$(echo "$HOLD" | field holdId)
echo "hold $HOLD_ID, expires $(echo "$HOLD" | field expiresAt)"

# The simulated card: "success" always pays, "decline" is refused (402, seats go back), "error" is a gateway failure.
ORDER=$(api "${AUTH[@]}" -H "idempotency-key: pay-$HOLD_ID" -X POST "$BASE/api/v1/checkout" \
  -d "{\"holdId\":\"$HOLD_ID\",\"payment\":{\"method\":\"card-sim\",\"simulate\":\"success\"}}")
ORDER_ID=$(echo "$ORDER" | field id)
echo "order $ORDER_ID"

api "${AUTH[@]}" "$BASE/api/v1/me/tickets" | tr '{' '\n' | grep "\"orderId\":\"$ORDER_ID\"" | field code | sed 's/^/ticket code: /'
