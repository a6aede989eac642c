/** One step of the decision wizard: its questions with the answers so far, refusals, and where it is. */
import { z } from 'zod';

export const questionTypeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('choice'), choices: z.array(z.object({ value: z.string(), title: z.string() })) }),
  z.object({ kind: z.literal('toggle'), title: z.string() }),
  z.object({ kind: z.literal('yesNoUnknown'), unknownTitle: z.string() }),
  z.object({ kind: z.literal('age') }),
  z.object({ kind: z.literal('caseRef') }),
]);

export const wizardQuestionSchema = z.object({
  id: z.string(),
  label: z.string(),
  hint: z.string().nullable(),
  required: z.boolean(),
  /** The question's own message for a missing or invalid answer. */
  errorMessage: z.string(),
  type: questionTypeSchema,
  /** The answer so far, or the fact's default as the engine would apply it; null when none. */
  value: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  /** Why this step's answer was refused. */
  error: z.string().nullable(),
  /** What was sent for a refused answer, shown again to correct. */
  typed: z.string().nullable(),
});

export const wizardStepViewSchema = z.object({
  sessionId: z.string(),
  /** Sent back with every action, so a stale card changes nothing. */
  version: z.number().int().positive(),
  step: z.string(),
  title: z.string(),
  stepIndex: z.number().int().positive(),
  stepTotal: z.number().int().positive(),
  council: z.string(),
  /** A safety note shown above the questions when the answers so far call for one. */
  banner: z.string().nullable(),
  questions: z.array(wizardQuestionSchema),
  canGoBack: z.boolean(),
});

export type WizardQuestionView = z.infer<typeof wizardQuestionSchema>;
export type WizardStepView = z.infer<typeof wizardStepViewSchema>;
