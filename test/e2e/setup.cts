/**
 * Runs before each end-to-end test file. The simulator gives up on a call after KooGallery's
 * 5 seconds; on a busy CI machine a real n8n may answer later, which is a matter of speed
 * (`npm run bench`), not of correctness, so the tests wait up to 2 minutes for an answer.
 */
import { setAnswerTimeout } from '../../simulator/http.cjs';

setAnswerTimeout(120_000);
