#!/usr/bin/env bash
# Regenerates the prompt set under prompts/ (8 kHz mono WAV) with Debian's espeak-ng and sox.
#   apt-get install -y espeak-ng sox
#   tools/prompts/make-prompts.sh [output-dir]   (default: <repo>/prompts)
# Output is deterministic for given espeak-ng/sox versions; they are recorded in prompts/VERSIONS.
# Speech is 16-bit PCM with leading/trailing silence trimmed so that concatenated announcements
# ("you are number" + "3" + "in the queue") sound continuous; music on hold is G.711 mu-law.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$repo/prompts}"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y espeak-ng sox" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8

# say <voice> <key> <text> [pad-after-seconds]
say() {
  local voice="$1" key="$2" text="$3" pad="${4:-0}"
  local dest="$out/$voice/$key.wav"
  mkdir -p "$(dirname "$dest")"
  espeak-ng -v "$voice" -s 150 -a 120 -w "$tmp/raw.wav" -- "$text"
  # -D: no dither, so the output depends only on the input; trim silence at both ends, then
  # normalise to -3 dBFS and resample to 8 kHz mono 16-bit.
  sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$dest" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
    gain -n -3 pad 0 "$pad"
}

rm -rf "$out/en" "$out/ru" "$out/common"

# --- English --------------------------------------------------------------------------------
say en welcome "Thank you for calling." 0.3
say en menu "For sales, press 1. For support, press 2. To hear these options again, press star." 0.3
say en invalid "Sorry, that is not a valid choice." 0.3
say en closed "We are closed now. Please call again during our business hours. Goodbye." 0.3
say en busy "All our operators are busy. Please stay on the line." 0.3
say en connecting "Please hold while we connect you." 0.3
say en position-prefix "You are number" 0.05
say en position-suffix "in the queue." 0.3
say en wait-prefix "The expected waiting time is about" 0.05
say en minute "minute." 0.3
say en minutes "minutes." 0.3
en_numbers=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
  fifteen sixteen seventeen eighteen nineteen twenty)
for n in $(seq 0 20); do say en "numbers/$n" "${en_numbers[$n]}" 0.05; done
en_tens=([3]=thirty [4]=forty [5]=fifty [6]=sixty [7]=seventy [8]=eighty [9]=ninety)
for t in 3 4 5 6 7 8 9; do say en "numbers/${t}0" "${en_tens[$t]}" 0.05; done

# --- Russian --------------------------------------------------------------------------------
say ru welcome "Спасибо за звонок." 0.3
say ru menu "Для связи с отделом продаж нажмите 1. Для связи со службой поддержки нажмите 2. Чтобы прослушать меню ещё раз, нажмите звёздочку." 0.3
say ru invalid "Неверный выбор." 0.3
say ru closed "Сейчас мы не работаем. Пожалуйста, позвоните в рабочее время. До свидания." 0.3
say ru busy "Все операторы заняты. Пожалуйста, оставайтесь на линии." 0.3
say ru connecting "Пожалуйста, оставайтесь на линии, мы соединяем вас с оператором." 0.3
say ru position-prefix "Ваш номер в очереди:" 0.05
say ru wait-prefix "Примерное время ожидания:" 0.05
# Russian agrees the noun with the number: 1 минута, 2-4 минуты, 5-20 минут; "одна"/"две" are
# the feminine forms used before минута.
say ru minute "минута." 0.3
say ru minutes-few "минуты." 0.3
say ru minutes "минут." 0.3
ru_numbers=(ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать
  тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать)
for n in $(seq 0 20); do say ru "numbers/$n" "${ru_numbers[$n]}" 0.05; done
say ru numbers/1f "одна" 0.05
say ru numbers/2f "две" 0.05
ru_tens=([3]=тридцать [4]=сорок [5]=пятьдесят [6]=шестьдесят [7]=семьдесят [8]=восемьдесят [9]=девяносто)
for t in 3 4 5 6 7 8 9; do say ru "numbers/${t}0" "${ru_tens[$t]}" 0.05; done

# --- Music on hold: C - Am - F - G, two seconds each, plucked triads with a bass note ---------
mkdir -p "$out/common"
chord() { # chord <file> <notes...>
  local file="$1"; shift
  local synth=()
  for note in "$@"; do synth+=(pluck "$note"); done
  sox -D -n -r 8000 -c "$#" -b 16 "$tmp/$file" synth 2 "${synth[@]}" remix - fade q 0.01 2 0.15
}
chord c.wav C3 C4 E4 G4
chord am.wav A2 A3 C4 E4
chord f.wav F2 F3 A3 C4
chord g.wav G2 G3 B3 D4
sox -D "$tmp/c.wav" "$tmp/am.wav" "$tmp/f.wav" "$tmp/g.wav" -r 8000 -c 1 -e u-law -b 8 \
  "$out/common/music-on-hold.wav" gain -n -6

{
  echo "espeak-ng: $(espeak-ng --version | head -n1)"
  echo "sox: $(sox --version | head -n1)"
} > "$out/VERSIONS"
echo "prompts written to $out ($(du -sh "$out" | cut -f1))"
