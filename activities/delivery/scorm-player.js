// @ts-check
/* The explainer player's SCORM 1.2 runtime side, shipped as player.js in the package.
 *
 * It finds the LMS's API the way SCORM 1.2's run-time environment prescribes (up the parent frames, then
 * the opener's), marks the attempt incomplete, resumes at the learner's last position, and reports
 * `completed` once the learner has watched the video to its end. What has been watched is the union of
 * the played ranges over every session (kept in cmi.suspend_data), so seeking to the end is not watching,
 * and a lesson watched over two sittings counts. Leaving early reports `incomplete` with the position
 * (cmi.core.lesson_location), the session time and exit "suspend", then LMSCommit and LMSFinish. Without
 * an LMS the page still plays and says that nothing is recorded.
 */
(function () {
  'use strict';

  /** Share of the video that must have been watched when it ends for the lesson to count as completed. */
  var COMPLETION_SHARE = 0.95;
  /** The position is committed this often while the video plays, so a killed window loses little. */
  var COMMIT_EVERY_MS = 30000;
  /** SCORM 1.2 keeps at most 4096 characters of suspend data. */
  var SUSPEND_DATA_MAX = 4096;

  /** @param {any} win */
  function searchFrames(win) {
    // SCORM 1.2 RTE 3.3.6.1: at most 7 parents up; a frame of another origin cannot be read and ends the walk.
    for (var tries = 0; tries <= 7; tries++) {
      try {
        if (win.API) return win.API;
      } catch {
        return null;
      }
      if (!win.parent || win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }

  function findApi() {
    var api = searchFrames(window);
    if (!api && window.opener) api = searchFrames(window.opener);
    return api;
  }

  /** @param {number} ms a duration as CMITimespan, HHHH:MM:SS.SS */
  function timespan(ms) {
    var centis = Math.max(0, Math.round(ms / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = (centis % 6000) / 100;
    var pad = function (/** @type {number} */ value, /** @type {number} */ width) {
      var text = String(value);
      while (text.length < width) text = '0' + text;
      return text;
    };
    return pad(hours, 4) + ':' + pad(minutes, 2) + ':' + (seconds < 10 ? '0' : '') + seconds.toFixed(2);
  }

  /** @param {Array<[number, number]>} ranges */
  function union(ranges) {
    var sorted = ranges
      .filter(function (range) {
        return range[1] > range[0];
      })
      .sort(function (a, b) {
        return a[0] - b[0];
      });
    /** @type {Array<[number, number]>} */
    var merged = [];
    sorted.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1] + 0.25) last[1] = Math.max(last[1], range[1]);
      else merged.push([range[0], range[1]]);
    });
    return merged;
  }

  /** @param {string} text "0-12.3,15-40" */
  function parseRanges(text) {
    /** @type {Array<[number, number]>} */
    var ranges = [];
    String(text || '')
      .split(',')
      .forEach(function (part) {
        var match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(part);
        if (match) ranges.push([Number(match[1]), Number(match[2])]);
      });
    return ranges;
  }

  /** @param {Array<[number, number]>} ranges */
  function formatRanges(ranges) {
    var text = ranges
      .map(function (range) {
        return range[0].toFixed(1) + '-' + range[1].toFixed(1);
      })
      .join(',');
    return text.length <= SUSPEND_DATA_MAX ? text : text.slice(0, text.lastIndexOf(',', SUSPEND_DATA_MAX));
  }

  var video = /** @type {HTMLVideoElement} */ (document.getElementById('lesson'));
  var status = /** @type {HTMLElement} */ (document.getElementById('lms-status'));
  var api = findApi();
  var startedAt = Date.now();
  var completed = false;
  var finished = false;
  /** @type {Array<[number, number]>} */
  var earlier = [];

  /** @param {string} element @param {string} value */
  function set(element, value) {
    return api && String(api.LMSSetValue(element, value)) === 'true';
  }

  /** @param {string} element */
  function get(element) {
    return api ? String(api.LMSGetValue(element)) : '';
  }

  function watched() {
    /** @type {Array<[number, number]>} */
    var ranges = earlier.slice();
    for (var index = 0; index < video.played.length; index++) ranges.push([video.played.start(index), video.played.end(index)]);
    return union(ranges);
  }

  function watchedShare() {
    var duration = video.duration;
    if (!isFinite(duration) || duration <= 0) return 0;
    return (
      watched().reduce(function (total, range) {
        return total + Math.min(range[1], duration) - Math.max(range[0], 0);
      }, 0) / duration
    );
  }

  function savePosition() {
    set('cmi.core.lesson_location', video.currentTime.toFixed(1));
    set('cmi.suspend_data', formatRanges(watched()));
  }

  function complete() {
    if (completed || watchedShare() < COMPLETION_SHARE) return;
    completed = true;
    set('cmi.core.lesson_status', 'completed');
    savePosition();
    if (api) api.LMSCommit('');
    status.textContent = 'Completed: your LMS has recorded this lesson as watched.';
  }

  function finish() {
    if (!api || finished) return;
    finished = true;
    if (!completed) {
      set('cmi.core.lesson_status', 'incomplete');
      set('cmi.core.exit', 'suspend');
    } else {
      set('cmi.core.exit', '');
    }
    savePosition();
    set('cmi.core.session_time', timespan(Date.now() - startedAt));
    api.LMSCommit('');
    api.LMSFinish('');
  }

  if (!api) {
    status.textContent = 'Not launched from an LMS: the lesson plays, but nothing is recorded.';
  } else if (String(api.LMSInitialize('')) !== 'true') {
    status.textContent = 'The LMS did not start this lesson (error ' + String(api.LMSGetLastError()) + '): nothing is recorded.';
    api = null;
  } else {
    var previous = get('cmi.core.lesson_status');
    completed = previous === 'completed' || previous === 'passed';
    if (!completed) set('cmi.core.lesson_status', 'incomplete');
    if (get('cmi.core.entry') === 'resume') {
      earlier = parseRanges(get('cmi.suspend_data'));
      var position = Number(get('cmi.core.lesson_location'));
      if (position > 0) {
        var resume = function () {
          if (position < video.duration - 1) video.currentTime = position;
        };
        if (video.readyState >= 1) resume();
        else video.addEventListener('loadedmetadata', resume, { once: true });
      }
    }
    api.LMSCommit('');
    status.textContent = completed ? 'Completed earlier: watch it again any time.' : 'Your LMS records your progress.';
  }

  video.addEventListener('ended', complete);
  setInterval(function () {
    if (api && !finished && !video.paused) {
      savePosition();
      api.LMSCommit('');
    }
  }, COMMIT_EVERY_MS);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && api && !finished) {
      savePosition();
      api.LMSCommit('');
    }
  });
  window.addEventListener('pagehide', finish);
  window.addEventListener('beforeunload', finish);

  // The transcript's lines seek the video to where they are spoken.
  Array.prototype.forEach.call(document.querySelectorAll('[data-start]'), function (/** @type {HTMLElement} */ line) {
    line.addEventListener('click', function () {
      video.currentTime = Number(line.getAttribute('data-start'));
      video.play().catch(function () {
        // Autoplay refused: the learner presses play.
      });
    });
  });
})();
