/** The views services return: one zod schema each, types derived. */
export * from './viewParts';
export * from './managerStatus';
export * from './decisionView';
export * from './approvalView';
export * from './alertView';
export * from './checksListView';
export * from './wizardStepView';
export * from './messageView';
export * from './screen';
export * from './fromRecords';
